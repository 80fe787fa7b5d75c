package dev.idempotent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ProblemResponsesTests {

    private final ProblemResponses problems =
            new ProblemResponses(JsonMapper.builder().build());

    private String body(int status, String detail, String instance) {
        return new String(problems.body(status, detail, instance), StandardCharsets.UTF_8);
    }

    @Test
    void writesTheRfc9457MembersInTheirOrder() {
        assertThat(body(409, "Another call is running", "/orders/1"))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,"
                        + "\"detail\":\"Another call is running\",\"instance\":\"/orders/1\"}");
    }

    @Test
    void namesAnUnknownStatusByItsNumber() {
        assertThat(body(599, "d", "/x")).contains("\"title\":\"Error 599\"", "\"status\":599");
    }

    @Test
    void keepsARawPathAsItIs() {
        assertThat(body(400, "d", "/orders/a%20b")).contains("\"instance\":\"/orders/a%20b\"");
    }

    @Test
    void quotesWhatIsNotLegalInAUri() {
        assertThat(body(400, "d", "/orders/a b|c")).contains("\"instance\":\"/orders/a%20b%7Cc\"");
    }
}
