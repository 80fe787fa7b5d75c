package dev.idempotent.demo.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * BlockHound watches every thread Reactor and Netty mark as non-blocking (the server's {@code reactor-http-nio}
 * event loops, Reactor's parallel scheduler, Lettuce's event loops) while the demo answers concurrent requests
 * on Caffeine, Redis and PostgreSQL: no idempotency step may block one of them. Writing log lines is allowed
 * (Logback writes to a file or the console from any thread).
 */
class NoBlockingOnEventLoopTests {

    private static final List<Throwable> blocked = new CopyOnWriteArrayList<>();

    private static boolean installed;

    @BeforeAll
    static void installBlockHound() {
        try {
            // with the integrations on the class path (Reactor's and Netty's mark their non-blocking threads)
            BlockHound.install(builder -> builder.allowBlockingCallsInside(
                            "ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                    .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
                    .blockingMethodCallback(method -> blocked.add(new BlockingOperationError(method))));
            installed = true;
        } catch (Throwable e) {
            installed = false;
        }
    }

    /** The blocking call and the frames that led to it, for the failure message. */
    private static String describe(Throwable blocking) {
        StringBuilder text = new StringBuilder(blocking.getMessage());
        int shown = 0;
        for (StackTraceElement frame : blocking.getStackTrace()) {
            if (shown++ < 40) {
                text.append("\n    at ").append(frame);
            }
        }
        return text.toString();
    }

    @Test
    void blockHoundSeesABlockingCallOnANonBlockingThread() {
        assumeTrue(installed, "BlockHound does not install on this JVM");
        blocked.clear();
        Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return 1;
                })
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(10));

        assertThat(blocked).isNotEmpty();
        blocked.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "redis", "postgres"})
    void noIdempotencyStepBlocksANonBlockingThread(String profile) throws Exception {
        assumeTrue(installed, "BlockHound does not install on this JVM");
        blocked.clear();
        String table = "idempotency_bh_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                        ReactiveDemoApplication.class, KeyFilterTestConfiguration.class)
                .web(WebApplicationType.REACTIVE)
                .profiles(profile)
                .run(
                        "--server.port=0",
                        "--spring.main.banner-mode=off",
                        "--idempotency.jdbc.table-name=" + table,
                        "--idempotency.redis.key-prefix=idempotency-bh:" + UUID.randomUUID() + ":")) {
            Http http =
                    new Http(context.getEnvironment().getRequiredProperty("local.server.port", Integer.class), "bh");
            String key = "pay-" + UUID.randomUUID();
            String body = "{\"paymentId\":\"" + key + "\",\"amountCents\":100}";
            List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                responses.add(http.postAsync("/payments", key, body));
                responses.add(http.postAsync("/payments/" + key + "/refunds?amountCents=100&parts=2", null, ""));
            }
            for (CompletableFuture<HttpResponse<byte[]>> response : responses) {
                assertThat(response.get().statusCode()).isIn(200, 201, 409);
            }
            assertThat(http.post("/payments", key, body).statusCode()).isEqualTo(201);
        }
        assertThat(blocked)
                .as("blocking calls on non-blocking threads")
                .extracting(NoBlockingOnEventLoopTests::describe)
                .isEmpty();
    }
}
