package dev.idempotent.store.jdbc;

import dev.idempotent.IdempotencyConfigurationException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The SQL that differs between databases: the database clock, adding a duration to it, the atomic
 * insert-if-absent, the bounded delete of expired rows, how a timestamp column is read, and the shipped
 * DDL. Everything else (the statements built from these parts, the algorithm, the transactions) is in
 * {@link JdbcIdempotencyStore} and shared by all dialects.
 *
 * <p>Every time is computed by the database ({@code now} below), never sent by the application, so that
 * application nodes with skewed clocks agree on leases and expiry.
 */
enum JdbcDialect {

    /**
     * PostgreSQL 9.5+. {@code statement_timestamp()} rather than {@code now()}: {@code now()} is the start
     * of the transaction, which is stale when a completion joins a long caller transaction.
     */
    POSTGRESQL("PostgreSQL", "postgresql", "statement_timestamp()") {
        @Override
        String plusMicros() {
            return "(statement_timestamp() + ? * INTERVAL '1 microsecond')";
        }

        @Override
        String insertIfAbsent(String table, String columns, String values) {
            return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values
                    + ") ON CONFLICT (idempotency_key) DO NOTHING";
        }

        @Override
        String upsertExpiredReturning(String table, String columns, String values, String returning) {
            // ON CONFLICT locks the existing row and re-checks the WHERE on its latest version: atomic
            return "INSERT INTO " + table + " AS r (" + columns + ") VALUES (" + values + ") ON CONFLICT (idempotency_key)"
                    + " DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,"
                    + " owner_token = EXCLUDED.owner_token, created_at = EXCLUDED.created_at,"
                    + " lease_expires_at = EXCLUDED.lease_expires_at, expires_at = EXCLUDED.expires_at, payload = NULL"
                    + " WHERE r.expires_at <= statement_timestamp() RETURNING " + returning;
        }

        @Override
        String deleteExpiredBatch(String table) {
            // SKIP LOCKED: never wait for a row that a claim is taking over right now.
            return "DELETE FROM " + table + " WHERE idempotency_key IN (SELECT idempotency_key FROM " + table
                    + " WHERE expires_at <= statement_timestamp() LIMIT ? FOR UPDATE SKIP LOCKED)"
                    + " AND expires_at <= statement_timestamp()";
        }

        @Override
        Instant readInstant(ResultSet rs, String column) throws SQLException {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
    },

    /**
     * MySQL 5.7+ and MariaDB 10.3+ (InnoDB). Times are {@code DATETIME(6)} in UTC from
     * {@code UTC_TIMESTAMP(6)}, so neither the server's nor the session's time zone matters.
     * {@code INSERT IGNORE} is safe here only because the store validates every value's length first (it
     * would otherwise turn a too long value into a truncation warning).
     */
    MYSQL("MySQL/MariaDB", "mysql", "UTC_TIMESTAMP(6)") {
        @Override
        String plusMicros() {
            return "DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND)";
        }

        @Override
        String insertIfAbsent(String table, String columns, String values) {
            return "INSERT IGNORE INTO " + table + " (" + columns + ") VALUES (" + values + ")";
        }

        @Override
        String deleteExpiredBatch(String table) {
            return "DELETE FROM " + table + " WHERE expires_at <= UTC_TIMESTAMP(6) ORDER BY expires_at LIMIT ?";
        }

        @Override
        Instant readInstant(ResultSet rs, String column) throws SQLException {
            LocalDateTime value = rs.getObject(column, LocalDateTime.class);
            return value == null ? null : value.toInstant(ZoneOffset.UTC);
        }

        @Override
        String readKey(ResultSet rs, String column) throws SQLException {
            // VARBINARY: the key's UTF-8 bytes
            return new String(rs.getBytes(column), StandardCharsets.UTF_8);
        }
    },

    /**
     * H2 2.x. {@code MERGE .. WHEN NOT MATCHED} is not atomic against a concurrent insert of the same key
     * in H2: its duplicate key error means the key is present, and the store treats it so.
     * {@code CURRENT_TIMESTAMP} is fixed for a whole transaction in H2, which is exact for the
     * store's own short transactions; a completion that joins a caller's transaction computes its ttl from
     * the start of that transaction.
     */
    H2("H2", "h2", "CURRENT_TIMESTAMP(6)") {
        @Override
        String plusMicros() {
            return "DATEADD(MICROSECOND, ?, CURRENT_TIMESTAMP(6))";
        }

        @Override
        String insertIfAbsent(String table, String columns, String values) {
            // The key parameter comes first, as in the other dialects; the values refer to it as s.k.
            return "MERGE INTO " + table + " t USING (VALUES (CAST(? AS VARCHAR(" + JdbcIdempotencyStore.MAX_KEY_LENGTH
                    + ")))) s(k) ON t.idempotency_key = s.k WHEN NOT MATCHED THEN INSERT (" + columns + ") VALUES ("
                    + values.replaceFirst("\\?", "s.k") + ")";
        }

        @Override
        String deleteExpiredBatch(String table) {
            return "DELETE FROM " + table + " WHERE expires_at <= CURRENT_TIMESTAMP(6) FETCH FIRST ? ROWS ONLY";
        }

        @Override
        Instant readInstant(ResultSet rs, String column) throws SQLException {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
    };

    private final String productName;

    private final String schemaSuffix;

    private final String now;

    JdbcDialect(String productName, String schemaSuffix, String now) {
        this.productName = productName;
        this.schemaSuffix = schemaSuffix;
        this.now = now;
    }

    /** The dialect of a database, from {@code DatabaseMetaData.getDatabaseProductName()}. */
    static JdbcDialect forProductName(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (name.contains("mysql") || name.contains("mariadb")) {
            return MYSQL;
        }
        if (name.equals("h2")) {
            return H2;
        }
        throw new IdempotencyConfigurationException("The JDBC idempotency store does not support database '"
                + productName + "'; it supports PostgreSQL, MySQL, MariaDB and H2. Use another store for this database");
    }

    /** The database clock, in an expression of the column type; fixed within one statement. */
    final String now() {
        return now;
    }

    /** The database clock plus a duration given as one {@code long} parameter in microseconds. */
    abstract String plusMicros();

    /**
     * One statement that inserts a row unless its key exists, without failing and without waiting longer
     * than a concurrent insert of the same key takes to commit. Its first parameter is the key.
     */
    abstract String insertIfAbsent(String table, String columns, String values);

    /**
     * One statement that inserts the row or takes over an expired one, and returns the caller's row (no
     * row when the key is live); {@code null} where the database has no such statement. Parameters as in
     * {@link #insertIfAbsent}.
     */
    String upsertExpiredReturning(String table, String columns, String values, String returning) {
        return null;
    }

    /** Deletes at most {@code ?} expired rows. */
    abstract String deleteExpiredBatch(String table);

    /** Reads a timestamp column written with {@link #now()}; {@code null} stays {@code null}. */
    abstract Instant readInstant(ResultSet rs, String column) throws SQLException;

    /** Reads the key column. */
    String readKey(ResultSet rs, String column) throws SQLException {
        return rs.getString(column);
    }

    /** The shipped DDL of this dialect, a resource next to this class. */
    final String schemaResource() {
        return "schema-" + schemaSuffix + ".sql";
    }

    /** The name used in messages. */
    final String displayName() {
        return productName;
    }
}
