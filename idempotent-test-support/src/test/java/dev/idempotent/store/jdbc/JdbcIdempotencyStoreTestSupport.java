package dev.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.RecordStatus;
import dev.idempotent.test.IdempotencyStoreContractTests;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The store contract plus what only the JDBC store promises (its own transactions, completing in the
 * caller's transaction, purging, schema creation), run against each real database by a small subclass.
 */
abstract class JdbcIdempotencyStoreTestSupport extends IdempotencyStoreContractTests {

    private static final Set<String> preparedTables = ConcurrentHashMap.newKeySet();

    /** The database under test. */
    protected abstract TestDatabase database();

    /** This test class's own table, so that runs of different classes never share rows. */
    protected abstract String tableName();

    @Override
    protected IdempotencyStore createStore() {
        JdbcIdempotencyStore store = newStore(tableName());
        if (preparedTables.add(tableName())) {
            store.initializeSchema();
            jdbc().execute("TRUNCATE TABLE " + tableName());
            jdbc().execute("CREATE TABLE IF NOT EXISTS " + businessTable() + " (id VARCHAR(64) PRIMARY KEY)");
            jdbc().execute("TRUNCATE TABLE " + businessTable());
        }
        return store;
    }

    @Override
    protected IdempotencyStore createUnreachableStore() {
        return new JdbcIdempotencyStore(database().unreachableDataSource(), tableName());
    }

    protected JdbcIdempotencyStore newStore(String table) {
        return new JdbcIdempotencyStore(database().dataSource(), table);
    }

    protected DataSource dataSource() {
        return database().dataSource();
    }

    protected JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource());
    }

    private String businessTable() {
        return tableName() + "_business";
    }

    private TransactionTemplate callerTransaction(int isolation) {
        TransactionTemplate template = new TransactionTemplate(new JdbcTransactionManager(dataSource()));
        template.setIsolationLevel(isolation);
        return template;
    }

    private String statusInCallerTransaction(String key) {
        return jdbc().queryForObject(
                        "SELECT status FROM " + tableName() + " WHERE idempotency_key = ?", String.class, key);
    }

    private int businessRows(String id) {
        return jdbc().queryForObject("SELECT COUNT(*) FROM " + businessTable() + " WHERE id = ?", Integer.class, id);
    }

    @Test
    void aClaimInsideACallersRepeatableReadTransactionSeesTheLatestRow() throws Exception {
        String key = key("repeatable-read");
        String owner = token();
        store.claim(key, "fp", owner, LEASE);

        Claim claim = callerTransaction(TransactionDefinition.ISOLATION_REPEATABLE_READ)
                .execute(status -> {
                    assertThat(statusInCallerTransaction(key)).isEqualTo("IN_PROGRESS");
                    boolean completed = CompletableFuture.supplyAsync(
                                    () -> store.complete(key, owner, bytes("done"), TTL))
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join();
                    assertThat(completed).isTrue();
                    // The caller's snapshot is stale: this is what the store must not be fooled by.
                    assertThat(statusInCallerTransaction(key)).isEqualTo("IN_PROGRESS");
                    return store.claim(key, "fp", token(), LEASE);
                });

        assertThat(claim.outcome()).isEqualTo(Claim.Outcome.COMPLETED);
        assertThat(claim.record().payload()).isEqualTo(bytes("done"));
    }

    @Test
    void aClaimCommitsEvenWhenTheCallersTransactionRollsBack() {
        String key = key("claim-own-transaction");
        String owner = token();

        callerTransaction(TransactionDefinition.ISOLATION_DEFAULT).executeWithoutResult(status -> {
            assertThat(store.claim(key, "fp", owner, LEASE).isAcquired()).isTrue();
            status.setRollbackOnly();
        });

        assertThat(store.find(key).orElseThrow().ownerToken()).isEqualTo(owner);
    }

    @Test
    void aConnectionBoundWithoutATransactionIsNeverCommittedByTheStore() throws Exception {
        // JPA's transaction manager binds the DataSource's connection without marking it transactional;
        // the store must never reuse (and so commit) that connection.
        String key = key("jpa-bound");
        try (java.sql.Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (var insert = connection.prepareStatement("INSERT INTO " + businessTable() + " (id) VALUES (?)")) {
                insert.setString(1, "jpa-" + key.hashCode());
                insert.executeUpdate();
            }
            org.springframework.transaction.support.TransactionSynchronizationManager.bindResource(
                    dataSource(), new org.springframework.jdbc.datasource.ConnectionHolder(connection));
            try {
                assertThat(store.claim(key, "fp", token(), LEASE).isAcquired()).isTrue();
            } finally {
                org.springframework.transaction.support.TransactionSynchronizationManager.unbindResource(dataSource());
            }
            connection.rollback();
        }
        assertThat(jdbc().queryForObject(
                                "SELECT COUNT(*) FROM " + businessTable() + " WHERE id = ?",
                                Integer.class,
                                "jpa-" + key.hashCode()))
                .isZero();
        assertThat(store.find(key)).isPresent();
    }

    @Test
    void completeInTransactionCommitsTheRecordWithTheBusinessWrites() {
        JdbcIdempotencyStore store = newStore(tableName());
        store.setCompleteInTransaction(true);
        String key = key("complete-commit");
        String owner = token();
        String order = token();
        store.claim(key, "fp", owner, LEASE);

        callerTransaction(TransactionDefinition.ISOLATION_READ_COMMITTED).executeWithoutResult(status -> {
            jdbc().update("INSERT INTO " + businessTable() + " (id) VALUES (?)", order);
            assertThat(store.complete(key, owner, bytes("order placed"), TTL)).isTrue();
            // Not committed yet: other connections still see the claim in progress.
            assertThat(store.find(key).orElseThrow().status()).isEqualTo(RecordStatus.IN_PROGRESS);
        });

        assertThat(businessRows(order)).isEqualTo(1);
        IdempotencyRecord record = store.find(key).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(record.payload()).isEqualTo(bytes("order placed"));
    }

    @Test
    void completeInTransactionRollsBackWithTheBusinessWritesAndFreesTheKey() {
        JdbcIdempotencyStore store = newStore(tableName());
        store.setCompleteInTransaction(true);
        String key = key("complete-rollback");
        String owner = token();
        String order = token();
        store.claim(key, "fp", owner, LEASE);

        callerTransaction(TransactionDefinition.ISOLATION_READ_COMMITTED).executeWithoutResult(status -> {
            jdbc().update("INSERT INTO " + businessTable() + " (id) VALUES (?)", order);
            assertThat(store.complete(key, owner, bytes("order placed"), TTL)).isTrue();
            status.setRollbackOnly();
        });

        assertThat(businessRows(order)).isZero();
        assertThat(store.find(key)).isEmpty();
        assertThat(store.claim(key, "fp", token(), LEASE).outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
    }

    @Test
    void withoutCompleteInTransactionTheRecordIsCompletedEvenIfTheCallerRollsBack() {
        String key = key("complete-own-transaction");
        String owner = token();
        String order = token();
        store.claim(key, "fp", owner, LEASE);

        callerTransaction(TransactionDefinition.ISOLATION_READ_COMMITTED).executeWithoutResult(status -> {
            jdbc().update("INSERT INTO " + businessTable() + " (id) VALUES (?)", order);
            assertThat(store.complete(key, owner, bytes("order placed"), TTL)).isTrue();
            status.setRollbackOnly();
        });

        assertThat(businessRows(order)).isZero();
        assertThat(store.find(key).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void completeInTransactionWithoutATransactionUsesItsOwn() {
        JdbcIdempotencyStore store = newStore(tableName());
        store.setCompleteInTransaction(true);
        String key = key("complete-no-transaction");
        String owner = token();
        store.claim(key, "fp", owner, LEASE);

        assertThat(store.complete(key, owner, bytes("x"), TTL)).isTrue();

        assertThat(store.find(key).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void timesComeFromTheDatabaseClockInUtcWithMicroseconds() {
        String key = key("times");
        Duration lease = Duration.ofSeconds(90).plusNanos(123_456_000);

        IdempotencyRecord record = store.claim(key, "fp", token(), lease).record();

        // The session time zone of every test connection is far from UTC; the instants must not move.
        assertThat(record.createdAt()).isCloseTo(Instant.now(), within(5, ChronoUnit.SECONDS));
        assertThat(Duration.between(record.createdAt(), record.leaseExpiresAt()))
                .isEqualTo(lease);
        assertThat(record.expiresAt()).isEqualTo(record.leaseExpiresAt());
        assertThat(store.find(key).orElseThrow()).isEqualTo(record);
    }

    @Test
    void expiredRecordsAreTakenOverExactlyOnceUnderContentionWhilePurging() throws Exception {
        int threads = 16;
        int keys = 60;
        String base = key("takeover-race");
        for (int k = 0; k < keys; k++) {
            String owner = token();
            store.claim(base + ":" + k, "fp", owner, LEASE);
            if (k % 2 == 0) {
                store.complete(base + ":" + k, owner, bytes("old"), Duration.ZERO);
            } else {
                store.renew(base + ":" + k, owner, Duration.ZERO);
            }
        }
        Map<String, AtomicInteger> acquired = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        try {
            Future<?> purger = pool.submit(() -> {
                start.await();
                while (!done.get()) {
                    ((JdbcIdempotencyStore) store).purgeExpired(5);
                }
                return null;
            });
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        String key = base + ":" + k;
                        Claim claim = store.claim(key, "fp-new", token(), LEASE);
                        if (claim.isAcquired()) {
                            acquired.computeIfAbsent(key, x -> new AtomicInteger())
                                    .incrementAndGet();
                        } else {
                            assertThat(claim.record().fingerprint()).isEqualTo("fp-new");
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            purger.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(acquired).hasSize(keys);
        assertThat(acquired.values())
                .allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void keysThatDifferOnlyInCaseOrTrailingSpacesAreDistinct() {
        String base = key("exact");
        for (String key : new String[] {base + "-a", base + "-A", base + "-a ", base + "-á"}) {
            assertThat(store.claim(key, "fp", token(), LEASE).outcome()).as(key).isEqualTo(Claim.Outcome.ACQUIRED);
        }
    }

    @Test
    void aTooLongKeyIsRejectedBeforeReachingTheDatabase() {
        assertThatThrownBy(() -> store.claim("k".repeat(store.maxKeyLength() + 1), "fp", token(), LEASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("255");
    }

    @Test
    void purgeExpiredDeletesOnlyExpiredRowsInBatches() {
        String table = tableName() + "_purge";
        JdbcIdempotencyStore store = newStore(table);
        store.initializeSchema();
        jdbc().execute("TRUNCATE TABLE " + table);
        String base = key("purge");
        for (int i = 0; i < 7; i++) {
            store.claim(base + ":expired:" + i, "fp", token(), Duration.ZERO);
        }
        String completed = base + ":completed";
        String owner = token();
        store.claim(completed, "fp", owner, LEASE);
        store.complete(completed, owner, bytes("x"), TTL);
        store.claim(base + ":running", "fp", token(), LEASE);

        assertThat(store.purgeExpired(3)).isEqualTo(7);

        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Integer.class))
                .isEqualTo(2);
        assertThat(store.find(completed)).isPresent();
        assertThat(store.find(base + ":running")).isPresent();
        assertThat(store.purgeExpired(3)).isZero();
    }

    @Test
    void schemaInitializationCanRunAgainAndConcurrentlyAndHonoursTheTableName() throws Exception {
        String table = tableName() + "_schema";
        jdbc().execute("DROP TABLE IF EXISTS " + table);
        JdbcIdempotencyStore store = newStore(table);
        try {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> inits = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    inits.add(pool.submit(store::initializeSchema));
                }
                for (Future<?> init : inits) {
                    init.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            store.initializeSchema();

            String key = key("schema");
            assertThat(store.claim(key, "fp", token(), LEASE).isAcquired()).isTrue();
            assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Integer.class))
                    .isEqualTo(1);
        } finally {
            jdbc().execute("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void aMissingTableIsReportedAsTheStoreBeingUnavailable() {
        JdbcIdempotencyStore store = newStore(tableName() + "_missing");

        assertThatThrownBy(() -> store.claim(key("missing-table"), "fp", token(), LEASE))
                .isInstanceOf(IdempotencyStoreUnavailableException.class)
                .hasMessageContaining("claim key")
                .hasMessageContaining(tableName() + "_missing");
    }

    @Test
    void anUnreachableDatabaseIsReportedAsTheStoreBeingUnavailable() {
        IdempotencyStore unreachable = createUnreachableStore();

        assertThatThrownBy(() -> unreachable.claim(key("down"), "fp", token(), LEASE))
                .isInstanceOf(IdempotencyStoreUnavailableException.class)
                .hasMessageContaining("failed to connect to the database");
    }
}
