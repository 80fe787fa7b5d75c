package dev.idempotent.demo.reactive;

import static dev.idempotent.demo.reactive.Http.replayed;
import static dev.idempotent.demo.reactive.Http.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the reactive demo on Netty, sharing one store (Redis through the reactive Redis store;
 * PostgreSQL through JDBC on the bounded elastic scheduler): 64 concurrent requests with one key, spread over
 * both, charge once; 64 concurrent calls of the {@code Flux} method plan one refund; and no JDBC step runs
 * on an event-loop thread ({@code reactor-http-nio}).
 */
class TwoInstancesOnSharedStoresTests {

    @ParameterizedTest
    @ValueSource(strings = {"redis", "postgres"})
    void sixtyFourConcurrentRequestsOverTwoInstancesChargeOnce(String store) throws Exception {
        String table = "idempotency_reactive_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String prefix = "idempotency-reactive-demo:" + UUID.randomUUID() + ":";
        try (ConfigurableApplicationContext first = start(store, table, prefix);
                ConfigurableApplicationContext second = start(store, table, prefix)) {
            List<Http> nodes = List.of(new Http(port(first), "two"), new Http(port(second), "two"));
            String key = "pay-" + UUID.randomUUID();
            String body = "{\"paymentId\":\"" + key + "\",\"amountCents\":4200}";

            List<CompletableFuture<HttpResponse<byte[]>>> charges = new ArrayList<>();
            List<CompletableFuture<HttpResponse<byte[]>>> refunds = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                charges.add(nodes.get(i % 2).postAsync("/payments", key, body));
                refunds.add(
                        nodes.get(i % 2).postAsync("/payments/" + key + "/refunds?amountCents=4200&parts=2", null, ""));
            }
            String charged = null;
            for (CompletableFuture<HttpResponse<byte[]>> response : charges) {
                HttpResponse<byte[]> answer = response.get();
                assertThat(answer.statusCode()).as(text(answer)).isIn(201, 409);
                if (answer.statusCode() == 201) {
                    assertThat(charged == null || charged.equals(text(answer)))
                            .as(text(answer))
                            .isTrue();
                    charged = text(answer);
                }
            }
            for (CompletableFuture<HttpResponse<byte[]>> response : refunds) {
                HttpResponse<byte[]> answer = response.get();
                // a repeat while the first runs is 409 problem details (the method's IdempotencyInFlightException)
                assertThat(answer.statusCode()).as(text(answer)).isIn(200, 409);
            }

            assertThat(charged).isNotNull();
            assertThat(charges(first) + charges(second)).isEqualTo(1);
            assertThat(refundPlans(first) + refundPlans(second)).isEqualTo(1);
            for (Http node : nodes) {
                HttpResponse<byte[]> repeat = node.post("/payments", key, body);
                assertThat(replayed(repeat)).isTrue();
                assertThat(text(repeat)).isEqualTo(charged);
            }
            for (ConfigurableApplicationContext node : List.of(first, second)) {
                List<String> steps = node.getBean(KeyFilterTestConfiguration.StoreThreads.class)
                        .seen();
                assertThat(steps).isNotEmpty();
                // a JDBC step blocks, so it must never run on an event loop. The reactive Redis store never
                // blocks (NoBlockingOnEventLoopTests), and Lettuce may hand an answer that arrived before the
                // demand to the thread that asked for it, an event loop too: its steps are left out here
                assertThat(steps)
                        .filteredOn(step -> !step.startsWith("redis "))
                        .noneSatisfy(step -> assertThat(step).contains("reactor-http-nio"));
            }
        }
    }

    private static ConfigurableApplicationContext start(String store, String table, String prefix) {
        return new SpringApplicationBuilder(ReactiveDemoApplication.class, KeyFilterTestConfiguration.class)
                .web(WebApplicationType.REACTIVE)
                .profiles(store)
                .run(
                        "--server.port=0",
                        "--spring.main.banner-mode=off",
                        "--idempotency.jdbc.table-name=" + table,
                        "--idempotency.redis.key-prefix=" + prefix,
                        "--spring.data.redis.host=" + env("IDEMPOTENCY_TEST_REDIS_HOST", "127.0.0.1"),
                        "--spring.data.redis.port=" + env("IDEMPOTENCY_TEST_REDIS_PORT", "6379"),
                        "--spring.datasource.url="
                                + env("IDEMPOTENCY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                        "--spring.datasource.username=" + env("IDEMPOTENCY_TEST_POSTGRES_USER", "postgres"),
                        "--spring.datasource.password=" + env("IDEMPOTENCY_TEST_POSTGRES_PASSWORD", ""));
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    private static long charges(ConfigurableApplicationContext context) {
        return context.getBean(PaymentService.class).charges();
    }

    private static long refundPlans(ConfigurableApplicationContext context) {
        return context.getBean(PaymentService.class).refundPlans();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
