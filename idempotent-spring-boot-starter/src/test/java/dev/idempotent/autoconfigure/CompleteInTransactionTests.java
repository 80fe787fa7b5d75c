package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.Idempotent;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.RecordStatus;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Exactly once on one database (PostgreSQL): with {@code idempotency.jdbc.complete-in-transaction}, the
 * business writes and the completed record commit or roll back together, wherever the work is cut off.
 */
class CompleteInTransactionTests {

    static ConfigurableApplicationContext context;

    static Bookings bookings;

    static IdempotencyStore store;

    static JdbcTemplate jdbc;

    public enum Cut {
        NONE,
        AFTER_WRITE,
        AT_COMMIT,
        CONNECTION_KILLED
    }

    public static class Bookings {
        private final JdbcTemplate jdbc;

        public Bookings(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Idempotent(key = "#id", fingerprint = "#id", lease = "2s")
        @Transactional
        public String book(String id, Cut cut) {
            jdbc.update("insert into idempotency_tx_bookings (id) values (?)", id);
            switch (cut) {
                case AFTER_WRITE -> throw new IllegalStateException("cut off after the business write");
                case AT_COMMIT ->
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void beforeCommit(boolean readOnly) {
                            throw new IllegalStateException("cut off at commit, after the record was written");
                        }
                    });
                case CONNECTION_KILLED ->
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void beforeCommit(boolean readOnly) {
                            // the server loses this session between the writes and the commit
                            Integer pid = jdbc.queryForObject("select pg_backend_pid()", Integer.class);
                            try (var other = java.sql.DriverManager.getConnection(
                                    TestServers.postgresUrl(),
                                    TestServers.postgresUser(),
                                    TestServers.postgresPassword())) {
                                other.createStatement().execute("select pg_terminate_backend(" + pid + ")");
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
                case NONE -> {}
            }
            return "booked " + id;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Bookings bookings(JdbcTemplate jdbc) {
            return new Bookings(jdbc);
        }
    }

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "idempotency.store=jdbc",
                        "idempotency.jdbc.complete-in-transaction=true",
                        "idempotency.jdbc.table-name=idempotency_tx_records",
                        "idempotency.jdbc.initialize-schema=always",
                        "spring.datasource.url=" + TestServers.postgresUrl(),
                        "spring.datasource.username=" + TestServers.postgresUser(),
                        "spring.datasource.password=" + TestServers.postgresPassword(),
                        "spring.main.banner-mode=off")
                .run();
        jdbc = context.getBean(JdbcTemplate.class);
        jdbc.execute("create table if not exists idempotency_tx_bookings (id varchar(100))");
        bookings = context.getBean(Bookings.class);
        store = context.getBean(IdempotencyStore.class);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    private static int rows(String id) {
        return jdbc.queryForObject("select count(*) from idempotency_tx_bookings where id = ?", Integer.class, id);
    }

    @Test
    void theStoreCompletesInTheTransaction() {
        assertThat(store.completesInTransaction()).isTrue();
    }

    @Test
    void aCommittedRunLeavesTheWriteAndTheRecordTogether() {
        String id = UUID.randomUUID().toString();
        assertThat(bookings.book(id, Cut.NONE)).isEqualTo("booked " + id);
        assertThat(bookings.book(id, Cut.NONE)).isEqualTo("booked " + id);
        assertThat(rows(id)).isEqualTo(1);
        assertThat(store.find("Bookings.book:" + id).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void cutOffAfterTheWriteLeavesNeitherAndTheRetryRunsOnce() {
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> bookings.book(id, Cut.AFTER_WRITE)).hasMessageContaining("cut off after");
        assertThat(rows(id)).isZero();
        assertThat(store.find("Bookings.book:" + id)).isEmpty();
        bookings.book(id, Cut.NONE);
        bookings.book(id, Cut.NONE);
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void cutOffAtCommitAfterTheRecordWasWrittenLeavesNeither() {
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> bookings.book(id, Cut.AT_COMMIT)).hasMessageContaining("cut off at commit");
        assertThat(rows(id)).isZero();
        assertThat(store.find("Bookings.book:" + id)).isEmpty();
        bookings.book(id, Cut.NONE);
        assertThat(bookings.book(id, Cut.AT_COMMIT)).isEqualTo("booked " + id);
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void aSessionKilledBeforeCommitLeavesNeitherAndTheKeyFreesItself() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> bookings.book(id, Cut.CONNECTION_KILLED));
        assertThat(rows(id)).isZero();
        // released at once, or at the latest when the 2s lease ends
        Thread.sleep(2500);
        assertThat(store.find("Bookings.book:" + id).map(r -> r.status()))
                .isNotEqualTo(java.util.Optional.of(RecordStatus.COMPLETED));
        bookings.book(id, Cut.NONE);
        bookings.book(id, Cut.NONE);
        assertThat(rows(id)).isEqualTo(1);
    }
}
