package dev.idempotent.store.jdbc;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.ListableIdempotencyStore;
import dev.idempotent.store.RecordStatus;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.support.DataAccessUtils;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A store on a relational database, shared by every application node that uses the same database:
 * PostgreSQL, MySQL, MariaDB or H2, detected from the connection. One row per key in one table
 * ({@value #DEFAULT_TABLE_NAME} unless configured), created by the shipped scripts ({@link JdbcSchemaScripts}:
 * {@code dev/idempotent/store/jdbc/schema-postgresql.sql}, {@code schema-mysql.sql} for MySQL and MariaDB,
 * {@code schema-h2.sql}) run by Spring Boot's database initialization, by Spring's
 * {@code ResourceDatabasePopulator}, by a migration of yours, or by {@link #initializeSchema()}. The SQL of
 * each database is one small statements class, with named parameters, run by a
 * {@link NamedParameterJdbcTemplate}.
 *
 * <p>What it guarantees:
 * <ul>
 * <li><b>Durable claims and results.</b> A claim, a completion, a release and a renewal are each
 * committed before the method returns; on a durable database (PostgreSQL, MySQL, MariaDB; H2 with a
 * file) they survive a restart of the application and of the database.
 * <li><b>Exactly one owner per key.</b> A claim is one atomic statement that inserts the row or takes over
 * an expired one and returns it (PostgreSQL {@code INSERT .. ON CONFLICT .. DO UPDATE .. WHERE expired
 * RETURNING}); on MySQL, MariaDB and H2 an atomic insert-if-absent ({@code INSERT IGNORE}, returning the row
 * on MariaDB 10.5+, {@code MERGE .. WHEN NOT MATCHED}) followed, only when the key was there, by a
 * conditional take-over of an expired row. The primary key decides concurrent inserts and row locks decide
 * concurrent takeovers, so it is never check-then-insert. Complete, release and renew are single conditional
 * statements on the key, the owner token, the status and the expiry (fencing).
 * <li><b>Few round trips.</b> Every step is its own auto-committed statement: no {@code BEGIN}/{@code COMMIT}
 * around it and no query of the isolation level. The engine reads first, so a replay is one {@code SELECT};
 * a first run is one claim statement (PostgreSQL) and one completing {@code UPDATE}.
 * <li><b>One clock.</b> Every lease and expiry is computed and compared by the database clock
 * ({@code statement_timestamp()}, {@code UTC_TIMESTAMP(6)}, {@code CURRENT_TIMESTAMP}), never by the
 * application's, so nodes with skewed clocks agree. Times are kept in UTC with microseconds.
 * <li><b>Independent of the caller's transaction.</b> Every step runs on a connection of its own in
 * auto-commit mode (set if the pool hands out connections without it), so a claim made inside a caller's
 * REPEATABLE READ transaction still sees the latest row and is committed even if the caller rolls back.
 * This takes a second connection from the pool while the caller holds one: size the pool for it.
 * The one opt-in exception is {@link #setCompleteInTransaction(boolean)}.
 * <li><b>Fails loudly.</b> Any SQL or connection failure is thrown as
 * {@link IdempotencyStoreUnavailableException} saying which step failed, marked transient when a retry
 * on a fresh connection may succeed (SQLState class {@code 08}, {@code 57P01}-{@code 57P03}, deadlocks,
 * serialization failures, lock and query timeouts, MySQL/MariaDB's lost connections): the engine retries
 * those, then applies its store failure policy. How fast an unreachable database fails is the {@link DataSource}'s connect and
 * pool timeouts.
 * </ul>
 *
 * <p>Expired rows are ignored by every step and overwritten by the next claim of their key, but are only
 * deleted by {@link #purgeExpired(int)}: schedule it. Keys are at most {@value #MAX_KEY_LENGTH} characters
 * and compare exactly (case, accents, trailing spaces); the fingerprint and the owner token at most
 * {@value #MAX_VALUE_LENGTH}.
 *
 * <p>Thread-safe. The database is detected on first use, so a store can be created while its database is
 * down.
 */
public class JdbcIdempotencyStore implements ListableIdempotencyStore {

    /** The table used unless another is configured. */
    public static final String DEFAULT_TABLE_NAME = "idempotency_record";

    /** The longest key the table holds, in characters. */
    public static final int MAX_KEY_LENGTH = 255;

    /** The longest fingerprint or owner token the table holds, in characters. */
    public static final int MAX_VALUE_LENGTH = 255;

    private static final Log logger = LogFactory.getLog(JdbcIdempotencyStore.class);

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private static final int MAX_TABLE_NAME_LENGTH = 128;

    /** How often a step is tried in all after a deadlock or lock timeout, and a claim after a concurrent change. */
    private static final int MAX_ATTEMPTS = 5;

    private final String tableName;

    private final DataSource dataSource;

    /** {@link #dataSource} in auto-commit mode, as an object of its own (see {@link AutoCommitDataSource}). */
    private final DataSource autoCommitDataSource;

    /** The store's own statements, each committed on its own, on a connection no caller's transaction shares. */
    private final NamedParameterJdbcTemplate jdbc;

    /** Statements that join the caller's transaction on the DataSource (complete-in-transaction only). */
    private final NamedParameterJdbcTemplate callerJdbc;

    /**
     * A statement chosen as a deadlock victim (InnoDB: a take-over meeting a purge) was rolled back whole, and
     * a claim can find the row it could not take deleted or expired by the time it reads it: either is tried
     * again at once, a few times, before the failure reaches the engine.
     */
    private final RetryTemplate retry = new RetryTemplate(RetryPolicy.builder()
            .includes(PessimisticLockingFailureException.class, RowChangedMeanwhile.class)
            .maxRetries(MAX_ATTEMPTS - 1)
            .delay(Duration.ofMillis(1))
            .multiplier(2)
            .maxDelay(Duration.ofMillis(20))
            .build());

    private volatile boolean completeInTransaction;

    private volatile TransactionTemplate workTransaction;

    private volatile @Nullable JdbcStatements statements;

    /** A store on the {@value #DEFAULT_TABLE_NAME} table of {@code dataSource}. */
    public JdbcIdempotencyStore(DataSource dataSource) {
        this(dataSource, DEFAULT_TABLE_NAME);
    }

    /**
     * A store on table {@code tableName} of {@code dataSource}.
     *
     * @param tableName letters, digits and underscores, optionally qualified by one schema
     *     ({@code schema.table}); unquoted, so the database's case folding applies
     * @throws IllegalArgumentException if {@code tableName} is not such a name
     */
    public JdbcIdempotencyStore(DataSource dataSource, String tableName) {
        Objects.requireNonNull(dataSource, "dataSource");
        this.tableName = validateTableName(tableName);
        JdbcTransactionManager callerTransactions = new JdbcTransactionManager(dataSource);
        // The transaction manager unwraps a TransactionAwareDataSourceProxy; statements must use the same key.
        // Never null: its constructor refuses a DataSource that leaves it without one.
        this.dataSource = Objects.requireNonNull(callerTransactions.getDataSource(), "dataSource");
        this.callerJdbc = new FixedStatementsJdbcTemplate(this.dataSource);
        // The store's own statements run on a DataSource of their own identity: Spring binds connections to the
        // DataSource object, so no caller's connection (a JPA transaction binds one that does not even look
        // transactional) is ever reused, committed or rolled back by the store.
        this.autoCommitDataSource = new AutoCommitDataSource(this.dataSource);
        this.jdbc = new FixedStatementsJdbcTemplate(this.autoCommitDataSource);
        this.workTransaction = new TransactionTemplate(callerTransactions);
    }

    /**
     * Whether {@link #complete} writes inside the caller's transaction when a Spring-managed transaction
     * on this store's {@link DataSource} is active (default {@code false}: always its own transaction).
     *
     * <p>When {@code true}, the completed record commits or rolls back together with the business writes
     * of that transaction: no completed record without them, and no business writes whose key can run
     * again. Until the transaction ends, the row stays locked, so a concurrent claim of the same key whose
     * lease has ended waits for it. If the transaction rolls back, the store releases the claim right after
     * (in a transaction of its own), so a retry can run at once instead of waiting for the lease to end;
     * if that release fails, the key is free when the lease ends.
     *
     * <p>The engine asks for it through {@link #completesInTransaction()}: it then runs the operation and its
     * completion in {@link #runInTransaction} (joining a transaction that already encloses the call), so
     * {@code @Transactional} methods inside it join that transaction. On PostgreSQL the caller's transaction should be READ COMMITTED: a
     * REPEATABLE READ or SERIALIZABLE transaction fails with a serialization error if the lease was renewed
     * after the transaction started. On H2 the ttl counts from the start of the caller's transaction.
     * Without an active transaction, or with the transaction of another DataSource, the store uses its own
     * transaction as usual. Set it before the store is used.
     */
    public void setCompleteInTransaction(boolean completeInTransaction) {
        this.completeInTransaction = completeInTransaction;
    }

    /** See {@link #setCompleteInTransaction(boolean)}. */
    public boolean isCompleteInTransaction() {
        return completeInTransaction;
    }

    /**
     * The transaction manager of the application's business transactions on this store's DataSource (for
     * example a JPA transaction manager), used by {@link #runInTransaction}. Default: a JDBC transaction
     * manager on the DataSource, which {@code DataSourceTransactionManager} transactions join.
     */
    public void setTransactionManager(PlatformTransactionManager transactionManager) {
        this.workTransaction =
                new TransactionTemplate(Objects.requireNonNull(transactionManager, "transactionManager"));
    }

    @Override
    public boolean completesInTransaction() {
        return completeInTransaction;
    }

    /** Runs {@code work} in a transaction (joining one that is already active), for complete-in-transaction. */
    @Override
    @SuppressWarnings(
            "NullAway") // the callback's T is @Nullable Object: NullAway sees type arguments only in JSpecify mode
    public @Nullable Object runInTransaction(TransactionalWork work) throws Throwable {
        try {
            return workTransaction.execute(status -> {
                try {
                    return work.run();
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable checked) {
                    throw new CheckedFailure(checked);
                }
            });
        } catch (CheckedFailure tunnel) {
            throw tunnel.getCause();
        }
    }

    /** Carries a checked exception of the work through the transaction template, which rolls back on it. */
    private static final class CheckedFailure extends RuntimeException {
        CheckedFailure(Throwable cause) {
            super(cause);
        }
    }

    /** The table this store uses. */
    public String getTableName() {
        return tableName;
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        checkKey(key);
        checkValue("fingerprint", fingerprint, true);
        checkValue("ownerToken", ownerToken, false);
        MapSqlParameterSource newRow = keyParameters(key)
                .addValue("fingerprint", fingerprint, Types.VARCHAR)
                .addValue("ownerToken", ownerToken, Types.VARCHAR)
                .addValue("leaseMicros", micros("lease", lease));
        try {
            return run("claim", key, sql -> {
                Row acquired = acquire(sql, key, newRow);
                if (acquired != null) {
                    return Claim.acquired(acquired.record());
                }
                Row row = select(sql, key);
                if (row == null || !row.live()) {
                    // deleted, or expired, since the statement above: the next attempt takes it
                    throw new RowChangedMeanwhile();
                }
                return Claim.existing(row.record());
            });
        } catch (RowChangedMeanwhile e) {
            throw new IdempotencyStoreUnavailableException(
                    "The JDBC idempotency store (table '" + tableName + "') failed to claim key '" + key
                            + "': its row kept changing under " + MAX_ATTEMPTS + " attempts",
                    null,
                    true);
        }
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        checkKey(key);
        checkValue("ownerToken", ownerToken, false);
        Objects.requireNonNull(payload, "payload");
        MapSqlParameterSource owned =
                ownedParameters(key, ownerToken).addValue("payload", payload).addValue("ttlMicros", micros("ttl", ttl));
        if (completeInTransaction && isCallerTransactionActive()) {
            boolean completed;
            try {
                completed = callerJdbc.update(statements().complete, owned) == 1;
            } catch (DataAccessException e) {
                throw failure("complete key '" + key + "' in the caller's transaction", e);
            }
            if (completed && TransactionSynchronizationManager.isSynchronizationActive()) {
                TransactionSynchronizationManager.registerSynchronization(new ReleaseOnRollback(key, ownerToken));
            }
            return completed;
        }
        return run("complete", key, sql -> jdbc.update(sql.complete, owned) == 1);
    }

    @Override
    public boolean release(String key, String ownerToken) {
        checkKey(key);
        checkValue("ownerToken", ownerToken, false);
        MapSqlParameterSource owned = ownedParameters(key, ownerToken);
        return run("release", key, sql -> jdbc.update(sql.release, owned) == 1);
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        checkKey(key);
        checkValue("ownerToken", ownerToken, false);
        MapSqlParameterSource owned = ownedParameters(key, ownerToken).addValue("leaseMicros", micros("lease", lease));
        return run("renew the lease of", key, sql -> jdbc.update(sql.renew, owned) == 1);
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        checkKey(key);
        return run("find", key, sql -> {
            Row row = select(sql, key);
            return row == null || !row.live() ? Optional.<IdempotencyRecord>empty() : Optional.of(row.record());
        });
    }

    /** Deletes the row of {@code key}, expired or not; returns whether it was live (as {@link #find} sees it). */
    @Override
    public boolean delete(String key) {
        checkKey(key);
        MapSqlParameterSource keyOnly = keyParameters(key);
        return run("delete", key, sql -> {
            boolean live = jdbc.update(sql.deleteLive, keyOnly) == 1;
            jdbc.update(sql.deleteAny, keyOnly);
            return live;
        });
    }

    @Override
    public int maxKeyLength() {
        return MAX_KEY_LENGTH;
    }

    /** One indexed range query ({@code LIKE 'prefix%'}) over the live rows, in key order. */
    @Override
    public List<IdempotencyRecord> list(String prefix, int limit) {
        Objects.requireNonNull(prefix, "prefix");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        MapSqlParameterSource range = new MapSqlParameterSource()
                .addValue("pattern", escapeLike(prefix) + "%", Types.VARCHAR)
                .addValue("limit", limit);
        return run(
                "list keys starting with '" + prefix + "'",
                null,
                sql -> jdbc.query(
                        sql.list,
                        range,
                        (rs, rowNum) ->
                                row(sql, sql.readKey(rs, "idempotency_key"), rs).record()));
    }

    /** {@code text} as a literal in a {@code LIKE .. ESCAPE '!'} pattern. */
    static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    /**
     * Deletes expired rows (ended leases and ended ttls), at most {@code batchSize} per statement, until
     * a batch deletes fewer. Safe to run on every node at once and while the store is in use; a row being
     * claimed at that moment is left to its claim.
     *
     * @return how many rows were deleted
     */
    public int purgeExpired(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        MapSqlParameterSource batch = new MapSqlParameterSource("batchSize", batchSize);
        int total = 0;
        int deleted;
        do {
            deleted = run("purge expired records", null, sql -> jdbc.update(sql.deleteExpired, batch));
            total += deleted;
        } while (deleted >= batchSize);
        if (total > 0 && logger.isDebugEnabled()) {
            logger.debug("Purged " + total + " expired idempotency records from table '" + tableName + "'");
        }
        return total;
    }

    /**
     * Creates the table and its expiry index if they do not exist: runs the shipped script of the detected
     * database ({@link JdbcSchemaScripts}) for this store's table name with Spring's
     * {@link ResourceDatabasePopulator}. Harmless to call again, and from several nodes at once. In a Spring
     * Boot application the starter does this through Boot's database initialization instead
     * ({@code idempotency.jdbc.initialize-schema}).
     *
     * @throws IdempotencyStoreUnavailableException if the database is unreachable or refuses the DDL
     */
    public void initializeSchema() {
        JdbcStatements sql = statements();
        ResourceDatabasePopulator populator = new ResourceDatabasePopulator(
                JdbcSchemaScripts.forTable(JdbcSchemaScripts.script(sql.schemaPlatform()), tableName));
        try {
            populator.execute(autoCommitDataSource);
        } catch (DataAccessException e) {
            // Another node may have created it at the same moment (PostgreSQL then reports a duplicate type).
            if (!tableExists()) {
                throw failure("create table '" + tableName + "'", e);
            }
            logger.debug("Creating idempotency table '" + tableName + "' failed, but it exists now", e);
        }
    }

    @Override
    public String toString() {
        JdbcStatements sql = statements;
        return "JdbcIdempotencyStore[table=" + tableName + (sql == null ? "" : ", " + sql.displayName()) + "]";
    }

    /**
     * Takes the key if it is free: one statement that inserts the row or takes over an expired one and
     * returns it (PostgreSQL), or an insert-if-absent (returning the row on MariaDB) followed, when the key
     * was there, by a conditional take-over. Each statement commits on its own and decides atomically.
     *
     * @return the caller's new row, or {@code null} if the key was live (or vanished meanwhile)
     */
    private @Nullable Row acquire(JdbcStatements sql, String key, MapSqlParameterSource newRow) {
        if (sql.upsertReturning != null) {
            return queryRow(sql, sql.upsertReturning, key, newRow);
        }
        Row inserted = null;
        boolean acquired;
        if (sql.insertReturning != null) {
            inserted = queryRow(sql, sql.insertReturning, key, newRow);
            acquired = inserted != null;
        } else {
            acquired = insertIfAbsent(sql, newRow);
        }
        if (!acquired) {
            acquired = jdbc.update(sql.takeOverExpired, newRow) == 1;
        }
        if (!acquired) {
            return null;
        }
        return inserted != null ? inserted : select(sql, key);
    }

    private boolean insertIfAbsent(JdbcStatements sql, MapSqlParameterSource newRow) {
        try {
            return jdbc.update(sql.insertIfAbsent, newRow) == 1;
        } catch (DuplicateKeyException e) {
            // H2: a concurrent insert of the same key committed between MERGE's lookup and its insert.
            return false;
        }
    }

    private @Nullable Row select(JdbcStatements sql, String key) {
        return queryRow(sql, sql.select, key, keyParameters(key));
    }

    /** The row of {@code key} that {@code statement} returns, or {@code null} if none (the key is unique). */
    private @Nullable Row queryRow(JdbcStatements sql, String statement, String key, MapSqlParameterSource parameters) {
        return DataAccessUtils.singleResult(jdbc.query(statement, parameters, (rs, rowNum) -> row(sql, key, rs)));
    }

    private static Row row(JdbcStatements sql, String key, ResultSet rs) throws SQLException {
        IdempotencyRecord record = new IdempotencyRecord(
                key,
                RecordStatus.valueOf(rs.getString("status")),
                rs.getString("fingerprint"),
                rs.getString("owner_token"),
                sql.readInstant(rs, "created_at"),
                sql.readInstant(rs, "lease_expires_at"),
                Objects.requireNonNull(sql.readInstant(rs, "expires_at"), "expires_at is NOT NULL"),
                rs.getBytes("payload"));
        return new Row(record, rs.getInt("live") == 1);
    }

    /**
     * The key as a parameter. Strings are typed: a {@code null} of unknown type would make Spring ask the
     * driver for the parameter's type, a round trip on PostgreSQL.
     */
    private static MapSqlParameterSource keyParameters(String key) {
        return new MapSqlParameterSource().addValue("key", key, Types.VARCHAR);
    }

    private static MapSqlParameterSource ownedParameters(String key, String ownerToken) {
        return keyParameters(key).addValue("ownerToken", ownerToken, Types.VARCHAR);
    }

    private boolean tableExists() {
        try {
            jdbc.getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM " + tableName + " WHERE 1 = 0", Integer.class);
            return true;
        } catch (DataAccessException e) {
            return false;
        }
    }

    /**
     * Runs the statements of {@code work}, each committed on its own (no transaction around them: every step
     * is one statement, or statements each safe on its own), again after a deadlock or a concurrent change
     * ({@link #retry}), turning failures into {@link IdempotencyStoreUnavailableException}; the engine retries
     * those that are transient. A failure names {@code action} and {@code key} ("claim key 'k'"), put together
     * only then, so a call that succeeds builds no message.
     */
    private <T> T run(String action, @Nullable String key, Function<JdbcStatements, T> work) {
        JdbcStatements sql = statements();
        try {
            return retry.execute(() -> work.apply(sql));
        } catch (RetryException e) {
            Throwable last = e.getLastException();
            if (last instanceof DataAccessException failed) {
                throw failure(key == null ? action : action + " key '" + key + "'", failed);
            }
            if (last instanceof RuntimeException other) {
                throw other;
            }
            throw new IllegalStateException(last);
        }
    }

    /** Whether a Spring-managed transaction is active on this store's DataSource, in this thread. */
    private boolean isCallerTransactionActive() {
        return TransactionSynchronizationManager.isActualTransactionActive()
                && TransactionSynchronizationManager.hasResource(dataSource);
    }

    private JdbcStatements statements() {
        JdbcStatements sql = statements;
        if (sql == null) {
            synchronized (this) {
                sql = statements;
                if (sql == null) {
                    sql = detectStatements();
                    statements = sql;
                }
            }
        }
        return sql;
    }

    private JdbcStatements detectStatements() {
        try {
            return jdbc.getJdbcTemplate().execute((ConnectionCallback<JdbcStatements>) con -> {
                DatabaseMetaData meta = con.getMetaData();
                return JdbcStatements.forDatabase(
                        meta.getDatabaseProductName(),
                        meta.getDatabaseMajorVersion(),
                        meta.getDatabaseMinorVersion(),
                        tableName);
            });
        } catch (DataAccessException e) {
            throw failure("connect to the database to detect its dialect", e);
        }
    }

    private IdempotencyStoreUnavailableException failure(String what, RuntimeException cause) {
        JdbcStatements sql = statements;
        String database = sql == null ? "" : ", " + sql.displayName();
        Throwable root = NestedExceptionUtils.getMostSpecificCause(cause);
        return new IdempotencyStoreUnavailableException(
                "The JDBC idempotency store (table '" + tableName + "'"
                        + database + ") failed to " + what + ": " + cause.getMessage()
                        + (root == cause ? "" : " (" + root + ")"),
                cause,
                TransientSqlFailures.isTransient(cause));
    }

    static String validateTableName(String tableName) {
        if (tableName == null
                || tableName.length() > MAX_TABLE_NAME_LENGTH
                || !TABLE_NAME.matcher(tableName).matches()) {
            throw new IllegalArgumentException("Invalid idempotency table name '" + tableName + "': use letters, digits"
                    + " and underscores, not starting with a digit, optionally qualified by one schema"
                    + " ('schema.table'), at most " + MAX_TABLE_NAME_LENGTH + " characters");
        }
        return tableName;
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("Idempotency key is " + key.length() + " characters long; the JDBC store"
                    + " accepts at most " + MAX_KEY_LENGTH + " (longer keys are hashed by the engine)");
        }
    }

    private static void checkValue(String name, @Nullable String value, boolean nullable) {
        if (value == null) {
            if (!nullable) {
                throw new NullPointerException(name);
            }
            return;
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(name + " is " + value.length() + " characters long; the JDBC store"
                    + " accepts at most " + MAX_VALUE_LENGTH);
        }
    }

    private static long micros(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + duration);
        }
        return TimeUnit.MICROSECONDS.convert(duration);
    }

    /** A row and whether it is live by the database clock. */
    private record Row(IdempotencyRecord record, boolean live) {}

    /** The row a claim could not take was deleted or expired before the claim read it: claim again. */
    private static final class RowChangedMeanwhile extends RuntimeException {
        RowChangedMeanwhile() {
            super(null, null, false, false);
        }
    }

    /** Frees the key when the caller's transaction that held its completion rolls back. */
    private final class ReleaseOnRollback implements TransactionSynchronization {

        private final String key;

        private final String ownerToken;

        ReleaseOnRollback(String key, String ownerToken) {
            this.key = key;
            this.ownerToken = ownerToken;
        }

        @Override
        public void afterCompletion(int status) {
            if (status != STATUS_ROLLED_BACK) {
                return;
            }
            try {
                release(key, ownerToken);
            } catch (RuntimeException e) {
                logger.warn(
                        "The transaction that completed idempotency key '" + key + "' rolled back, and releasing"
                                + " the key failed; it can run again when its lease ends",
                        e);
            }
        }
    }
}
