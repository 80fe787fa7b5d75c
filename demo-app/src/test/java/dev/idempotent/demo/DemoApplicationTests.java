package dev.idempotent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The demo over real HTTP: a repeated order or payment has no second effect. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoApplicationTests {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void placingTheSameOrderTwiceCreatesOneOrder() throws Exception {
        String requestId = UUID.randomUUID().toString();
        String body = "{\"requestId\":\"" + requestId + "\",\"item\":\"book\",\"quantity\":2}";

        HttpResponse<String> first = post("/orders", body);
        HttpResponse<String> second = post("/orders", body);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("Location"))
                .isEqualTo(first.headers().firstValue("Location"));
        long matching = get("/orders").split("\"item\":\"book\"", -1).length - 1;
        assertThat(matching).isGreaterThanOrEqualTo(1);
    }

    @Test
    void reusingARequestIdForAnotherOrderIsRejected() throws Exception {
        String requestId = UUID.randomUUID().toString();
        post("/orders", "{\"requestId\":\"" + requestId + "\",\"item\":\"book\",\"quantity\":1}");

        HttpResponse<String> reuse =
                post("/orders", "{\"requestId\":\"" + requestId + "\",\"item\":\"car\",\"quantity\":1}");

        assertThat(reuse.statusCode()).isEqualTo(422);
        assertThat(reuse.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).contains("problem+json"));
        assertThat(reuse.body())
                .contains("\"type\":\"about:blank\"")
                .contains("already used for a different request")
                .doesNotContain(requestId);
    }

    @Test
    void aDeclinedPaymentIsDeclinedAgainWithoutASecondCharge() throws Exception {
        String paymentId = UUID.randomUUID().toString();
        String body = "{\"paymentId\":\"" + paymentId + "\",\"amountCents\":999999}";
        String before = get("/stats");

        HttpResponse<String> first = post("/payments", body);
        HttpResponse<String> second = post("/payments", body);

        assertThat(first.statusCode()).isEqualTo(402);
        assertThat(second.statusCode()).isEqualTo(402);
        assertThat(second.body()).contains("declined");
        assertThat(charges(get("/stats"))).isEqualTo(charges(before) + 1);
    }

    @Test
    void aMissingRequestIdIsABadRequest() throws Exception {
        HttpResponse<String> response = post("/orders", "{\"item\":\"book\",\"quantity\":1}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"type\":\"about:blank\"")
                .contains("usable idempotency key")
                .as("no expression, class or method name")
                .doesNotContain("#request")
                .doesNotContain("OrderService");
    }

    private static long charges(String stats) {
        var node = tools.jackson.databind.json.JsonMapper.builder().build().readTree(stats);
        return node.path("paymentCharges").asLong();
    }
}
