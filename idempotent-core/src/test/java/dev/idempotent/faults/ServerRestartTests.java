package dev.idempotent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Whole-server faults: a PostgreSQL restart with its data kept, a Redis crash with its append-only file and
 * without any persistence, and PostgreSQL terminating every session of the application while it runs. The
 * servers that are restarted are started by this test on ports of their own; the machine's shared servers
 * are never stopped.
 */
class ServerRestartTests {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private IdempotencyEngine engine;

    private final AtomicInteger abandoned = new AtomicInteger();

    @BeforeEach
    void newEngine() {
        engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED, new dev.idempotent.engine.IdempotencyListener() {
            @Override
            public void onCompletionAbandoned(String name) {
                abandoned.incrementAndGet();
            }
        });
        engine.setCompletionRetryTimeout(Duration.ofMinutes(1));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void postgresRestartedWhileTheOperationRunsStoresItsResultAndNeverRunsItTwice() throws Throwable {
        assumeTrue(
                OwnServer.Postgres.available(), "needs root and PostgreSQL's server binaries to run its own cluster");
        try (OwnServer.Postgres postgres = new OwnServer.Postgres()) {
            postgres.start();
            try (HikariDataSource dataSource = FaultTestStores.postgres(postgres.port, "idempotency-restart")) {
                IdempotencyStore store = FaultTestStores.jdbc(dataSource);
                AtomicInteger runs = new AtomicInteger();
                String key = key("pg-restart");
                Object first = engine.execute(request(store, key), () -> {
                            runs.incrementAndGet();
                            postgres.stop();
                            postgres.start();
                            return key + "#" + runs.get();
                        })
                        .value();
                assertThat(first).isEqualTo(key + "#1");
                await(() -> engine.pendingCompletions() == 0);
                assertThat(engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet())
                                .value())
                        .isEqualTo(key + "#1");

                // the completed record is kept across a restart, and the first claim after it succeeds
                postgres.stop();
                postgres.start();
                assertThat(engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet())
                                .outcome())
                        .isEqualTo(Outcome.REPLAYED);
                String fresh = key("pg-after-restart");
                assertThat(engine.execute(request(store, fresh), () -> "fresh").outcome())
                        .isEqualTo(Outcome.EXECUTED);
                assertThat(runs).hasValue(1);
                assertThat(abandoned).hasValue(0);
            }
        }
    }

    @Test
    void redisWithAppendOnlyFileKeepsClaimsAndResultsAcrossACrash() throws Throwable {
        try (OwnServer.Redis redis = new OwnServer.Redis(true)) {
            redis.start();
            LettuceConnectionFactory factory = FaultTestStores.redisFactory("127.0.0.1", redis.port);
            try {
                IdempotencyStore store = FaultTestStores.redis(factory);
                AtomicInteger runs = new AtomicInteger();
                String key = key("redis-aof");
                // crashed and restarted while the operation runs: the claim survives and the result is stored
                assertThat(engine.execute(request(store, key), () -> {
                                    runs.incrementAndGet();
                                    redis.kill();
                                    redis.start();
                                    return key + "#1";
                                })
                                .value())
                        .isEqualTo(key + "#1");
                await(() -> engine.pendingCompletions() == 0);

                // crashed again after completing: the result is replayed, the operation does not run again
                redis.kill();
                redis.start();
                assertThat(engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet())
                                .value())
                        .isEqualTo(key + "#1");
                assertThat(runs).hasValue(1);
                assertThat(abandoned).hasValue(0);
            } finally {
                factory.destroy();
            }
        }
    }

    /** What docs/guarantees.md says plainly: Redis that keeps nothing on disk forgets, and then it runs again. */
    @Test
    void redisWithoutPersistenceForgetsOnRestartAndTheOperationRunsAgain() throws Throwable {
        try (OwnServer.Redis redis = new OwnServer.Redis(false)) {
            redis.start();
            LettuceConnectionFactory factory = FaultTestStores.redisFactory("127.0.0.1", redis.port);
            try {
                IdempotencyStore store = FaultTestStores.redis(factory);
                AtomicInteger runs = new AtomicInteger();
                String key = key("redis-volatile");
                engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet());
                redis.kill();
                redis.start();
                IdempotencyRecord[] none = {null};
                await(() -> {
                    try {
                        none[0] = store.find(key).orElse(null);
                        return true;
                    } catch (RuntimeException reconnecting) {
                        return false;
                    }
                });
                assertThat(none[0]).isNull();
                assertThat(engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet())
                                .value())
                        .isEqualTo(key + "#2");
                assertThat(runs)
                        .as("a Redis that lost its data runs the operation again")
                        .hasValue(2);
            } finally {
                factory.destroy();
            }
        }
    }

    /**
     * The case that used to run twice: PostgreSQL terminates every session of the application
     * ({@code pg_terminate_backend}) while the operation runs, so the completion meets a dead connection.
     */
    @Test
    void postgresTerminatingEverySessionWhileTheOperationRunsStillRunsItOnce() throws Throwable {
        String application =
                "idempotency-terminate-" + UUID.randomUUID().toString().substring(0, 8);
        try (HikariDataSource dataSource = FaultTestStores.postgres(FaultTestStores.POSTGRES_PORT, application)) {
            IdempotencyStore store = FaultTestStores.jdbc(dataSource);
            for (int round = 0; round < 6; round++) {
                AtomicInteger runs = new AtomicInteger();
                String key = key("pg-terminate");
                Object first = engine.execute(request(store, key), () -> {
                            runs.incrementAndGet();
                            terminateSessions(application);
                            return key + "#1";
                        })
                        .value();
                assertThat(first).isEqualTo(key + "#1");
                assertThat(store.find(key).orElseThrow().isCompleted())
                        .as("completed at once")
                        .isTrue();
                terminateSessions(application);
                assertThat(engine.execute(request(store, key), () -> key + "#" + runs.incrementAndGet())
                                .value())
                        .isEqualTo(key + "#1");
                assertThat(runs).hasValue(1);
            }
        }
    }

    private static void terminateSessions(String application) throws Exception {
        try (Connection admin = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + FaultTestStores.POSTGRES_PORT + "/test", "postgres", "");
                PreparedStatement terminate = admin.prepareStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            terminate.setString(1, application);
            terminate.executeQuery().close();
        }
    }

    private static IdempotencyRequest request(IdempotencyStore store, String key) {
        return new IdempotencyRequest(
                "restarts",
                store,
                key,
                "fp",
                Duration.ofMinutes(10),
                LEASE,
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                new TextCodec(),
                "RestartTest.op()");
    }

    private static String key(String name) {
        return "faults:" + name + ":" + UUID.randomUUID();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out");
            }
            OwnServer.sleep(50);
        }
    }
}
