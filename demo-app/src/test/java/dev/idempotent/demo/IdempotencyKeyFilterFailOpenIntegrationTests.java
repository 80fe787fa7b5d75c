package dev.idempotent.demo;

import static dev.idempotent.demo.FilterTestHttp.replayed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.Executions;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/** With on-store-failure=fail-open, a request whose key cannot be claimed runs without protection. */
@SpringBootTest(
        classes = {
            DemoApplication.class,
            IdempotencyKeyFilterTestConfiguration.class,
            IdempotencyKeyFilterFailOpenIntegrationTests.Store.class
        },
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "idempotency.on-store-failure=fail-open")
class IdempotencyKeyFilterFailOpenIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private Executions executions;

    @Test
    void storeDownWithFailOpenRunsTheRequestEveryTime() throws Exception {
        String run = UUID.randomUUID().toString();
        FilterTestHttp http = new FilterTestHttp(port, run);
        HttpResponse<byte[]> first = http.post("/test/echo", "key-1", "{}");
        HttpResponse<byte[]> second = http.post("/test/echo", "key-1", "{}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(replayed(second)).isFalse();
        assertThat(second.body()).isNotEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(2);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Store {

        @Bean
        FlakyIdempotencyStore flakyIdempotencyStore() {
            FlakyIdempotencyStore store = new FlakyIdempotencyStore();
            store.setDown(true);
            return store;
        }
    }
}
