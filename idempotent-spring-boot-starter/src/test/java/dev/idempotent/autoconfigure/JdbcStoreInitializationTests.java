package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The JDBC store's table through Spring Boot's database initialization: the store waits for the
 * application's own initializers (Flyway here), an application's schema script is run as it is, a script
 * that fails is reported with the fix, a database that is down at startup does not stop the application; and
 * the cleanup of expired rows on a TaskScheduler.
 */
class JdbcStoreInitializationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withPropertyValues("idempotency.store=jdbc")
            .withConfiguration(
                    AutoConfigurations.of(DataSourceAutoConfiguration.class, IdempotencyAutoConfiguration.class));

    @Test
    void aTableThatAFlywayMigrationCreatesIsThereBeforeTheStoreChecksIt() {
        runner.withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
                .withPropertyValues(
                        "spring.flyway.enabled=true",
                        "spring.datasource.url=jdbc:h2:mem:flyway-order;DB_CLOSE_DELAY=-1",
                        "spring.flyway.locations=classpath:db/idempotency-migration",
                        "idempotency.jdbc.table-name=migrated_records",
                        "idempotency.jdbc.initialize-schema=never")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeanFactory()
                                    .getBeanDefinition("idempotencyStore")
                                    .getDependsOn())
                            .contains("flywayInitializer");
                    assertThat(context).doesNotHaveBean(IdempotencyJdbcSchemaInitializer.class);
                    JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
                    assertThat(store.claim("k", "fp", "owner", Duration.ofMinutes(1))
                                    .isAcquired())
                            .isTrue();
                });
    }

    @Test
    void theStoreWaitsForItsOwnSchemaInitializerWhichCreatesTheConfiguredTable() {
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:own-initializer;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.table-name=own_records")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(IdempotencyJdbcSchemaInitializer.class);
                    assertThat(context.getBeanFactory()
                                    .getBeanDefinition("idempotencyStore")
                                    .getDependsOn())
                            .contains("idempotencyJdbcSchemaInitializer");
                    assertThat(new JdbcTemplate(context.getBean(DataSource.class))
                                    .queryForObject("SELECT COUNT(*) FROM own_records", Integer.class))
                            .isZero();
                });
    }

    @Test
    void anApplicationsSchemaScriptIsRunAsItIsAndAFailingOneStopsStartupWithTheFix() {
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:broken-schema;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.schema=classpath:idempotency-broken-schema.sql",
                        "idempotency.jdbc.initialize-schema=always")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(configurationFailure(context))
                            .hasMessageContaining(
                                    "table 'idempotency_record' cannot be read in jdbc:h2:mem:broken-schema")
                            .hasMessageContaining("idempotency.jdbc.initialize-schema=always did not create it with"
                                    + " classpath:idempotency-broken-schema.sql")
                            .hasMessageContaining("continue-on-error=false");
                });
    }

    @Test
    void aDatabaseThatIsDownAtStartupDoesNotStopTheApplication() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:postgresql://127.0.0.1:" + closedPort + "/test",
                        "spring.datasource.username=postgres",
                        "spring.datasource.hikari.connection-timeout=250")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThatThrownBy(() ->
                                    context.getBean(JdbcIdempotencyStore.class).find("k"))
                            .isInstanceOf(IdempotencyStoreUnavailableException.class);
                });
    }

    @Test
    void expiredRowsAreDeletedOnTheApplicationsIdempotencyTaskScheduler() {
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:cleanup-given;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.cleanup-interval=50ms")
                .withBean(JdbcExpiredRecordCleanup.SCHEDULER_BEAN_NAME, RecordingScheduler.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    expireRowsAndAwaitTheirDeletion(context);
                    assertThat(context.getBean(RecordingScheduler.class).delays).containsExactly(Duration.ofMillis(50));
                });
    }

    @Test
    void withoutOneTheCleanupRunsOnItsOwnSchedulerThatStopsWithTheContext() {
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:cleanup-own;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.cleanup-interval=50ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    expireRowsAndAwaitTheirDeletion(context);
                    assertThat(cleanupThreads()).isNotEmpty();
                });
        awaitUntil(() -> cleanupThreads().isEmpty(), "the cleanup's own thread to end with the context");
    }

    private static void expireRowsAndAwaitTheirDeletion(ApplicationContext context) {
        JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
        JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
        for (int i = 0; i < 3; i++) {
            store.claim("expired-" + i, "fp", "owner", Duration.ZERO);
        }
        store.claim("live", "fp", "owner", Duration.ofMinutes(5));
        awaitUntil(
                () -> jdbc.queryForObject("SELECT COUNT(*) FROM idempotency_record", Integer.class) == 1,
                "the expired rows to be deleted");
        assertThat(store.find("live")).isPresent();
    }

    private static List<String> cleanupThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("idempotency-jdbc-cleanup-"))
                .toList();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Gave up waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Throwable configurationFailure(ApplicationContext context) {
        Throwable failure = ((org.springframework.boot.test.context.assertj.AssertableApplicationContext) context)
                .getStartupFailure();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IdempotencyConfigurationException) {
                return t;
            }
        }
        throw new AssertionError("no IdempotencyConfigurationException in", failure);
    }

    /** The application's scheduler for the cleanup; records what it was asked to schedule. */
    static class RecordingScheduler extends ThreadPoolTaskScheduler {

        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
            delays.add(delay);
            return super.scheduleWithFixedDelay(task, startTime, delay);
        }
    }
}
