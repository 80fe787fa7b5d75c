package dev.idempotent.demo;

import static dev.idempotent.demo.FilterTestHttp.assertProblem;
import static dev.idempotent.demo.FilterTestHttp.replayed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.Executions;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The filter's options and the fail-closed store policy: another header name, stored 5xx responses, a
 * short ttl, and 503 when the store is down.
 */
@SpringBootTest(
        classes = {
            DemoApplication.class,
            IdempotencyKeyFilterTestConfiguration.class,
            IdempotencyKeyFilterOptionsIntegrationTests.Store.class
        },
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "idempotency.http.header-name=X-Request-Key",
            "idempotency.http.store-server-errors=true",
            "idempotency.http.ttl=1s",
            "idempotency.on-store-failure=fail-closed"
        })
class IdempotencyKeyFilterOptionsIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private Executions executions;

    @Autowired
    private FlakyIdempotencyStore store;

    private final String run = UUID.randomUUID().toString();

    private final String key = "key-" + UUID.randomUUID();

    private FilterTestHttp http;

    @BeforeEach
    void connect() {
        http = new FilterTestHttp(port, run, "X-Request-Key");
    }

    @AfterEach
    void storeUp() {
        store.setDown(false);
    }

    @Test
    void storeDownWithFailClosedIsServiceUnavailableAndNothingRuns() throws Exception {
        store.setDown(true);
        assertProblem(http.post("/test/echo", key, "{}"), 503, "idempotency store is unavailable");
        assertThat(executions.of(run)).isZero();

        store.setDown(false);
        assertThat(http.post("/test/echo", key, "{}").statusCode()).isEqualTo(201);
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void theConfiguredHeaderNameCarriesTheKeyAndTheDefaultOneIsIgnored() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{}");
        FilterTestHttp defaultHeader = new FilterTestHttp(port, run);
        defaultHeader.post("/test/echo", key, "{}");
        defaultHeader.post("/test/echo", key, "{}");

        assertThat(replayed(second)).isTrue();
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(3);
    }

    @Test
    void serverErrorsAreStoredWhenConfigured() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/status/500", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/status/500", key, "{}");

        assertThat(second.statusCode()).isEqualTo(500);
        assertThat(replayed(second)).isTrue();
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void afterTheTtlTheKeyRunsAgain() throws Exception {
        http.post("/test/echo", key, "{}");
        assertThat(replayed(http.post("/test/echo", key, "{}"))).isTrue();
        Thread.sleep(1_500);

        assertThat(replayed(http.post("/test/echo", key, "{}"))).isFalse();
        assertThat(executions.of(run)).isEqualTo(2);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Store {

        @Bean
        FlakyIdempotencyStore flakyIdempotencyStore() {
            return new FlakyIdempotencyStore();
        }
    }
}
