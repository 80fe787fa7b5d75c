package dev.idempotent.store.jdbc;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.store.RecordStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of {@link JdbcIdempotencyStore} on one table of one database, built once, with named parameters:
 * {@code :key}, {@code :fingerprint}, {@code :ownerToken}, {@code :leaseMicros}, {@code :ttlMicros},
 * {@code :payload}, {@code :pattern}, {@code :limit} and {@code :batchSize}. One subclass per database
 * supplies what differs: the database clock, adding microseconds to it, the atomic insert-if-absent, the
 * one-statement claim where the database has one, the bounded delete of expired rows, and how a timestamp
 * column is read. The algorithm is the store's, the same on every database.
 *
 * <p>Every time is computed by the database clock ({@link #now()}), never sent by the application, so that
 * application nodes with skewed clocks agree on leases and expiry.
 */
abstract class JdbcStatements {

    private static final String IN_PROGRESS = "'" + RecordStatus.IN_PROGRESS.name() + "'";

    private static final String COMPLETED = "'" + RecordStatus.COMPLETED.name() + "'";

    /** The columns a new row is inserted with, in the order of {@link #newRowValues()}. */
    static final String COLUMNS =
            "idempotency_key, fingerprint, status, owner_token, created_at, lease_expires_at," + " expires_at";

    /** The columns of a record that a claim returns, and whether the record is live (always, for a new row). */
    static final String RETURNING =
            "status, fingerprint, owner_token, created_at, lease_expires_at, expires_at," + " payload, 1 AS live";

    final String table;

    /** The row of {@code :key} and whether it is live by the database clock. */
    final String select;

    /**
     * Inserts the new row of {@code :key} unless the key has a row, without failing and without waiting longer
     * than a concurrent insert of the same key takes to commit.
     */
    final String insertIfAbsent;

    /**
     * Inserts the new row, or takes over an expired one, and returns it (no row when the key is live), in one
     * statement; {@code null} where the database has no such statement.
     */
    final @Nullable String upsertReturning;

    /** {@link #insertIfAbsent} returning the inserted row; {@code null} where the database cannot. */
    final @Nullable String insertReturning;

    /** Takes over the expired row of {@code :key} for {@code :ownerToken}. */
    final String takeOverExpired;

    /** Completes the live in-progress row of {@code :key} owned by {@code :ownerToken}. */
    final String complete;

    /** Extends the lease of the live in-progress row of {@code :key} owned by {@code :ownerToken}. */
    final String renew;

    /** Deletes the live in-progress row of {@code :key} owned by {@code :ownerToken}. */
    final String release;

    final String deleteLive;

    final String deleteAny;

    /** Deletes at most {@code :batchSize} expired rows. */
    final String deleteExpired;

    /** The live rows whose key is {@code LIKE :pattern} (escaped with {@code '!'}), at most {@code :limit}. */
    final String list;

    /**
     * Builds every statement once. The hooks it calls ({@link #now()}, {@link #plusMicros(String)},
     * {@link #insertIfAbsent(String)}, {@link #upsertReturning(String)}, {@link #deleteExpired()}) use only
     * {@link #table} and constants.
     */
    JdbcStatements(String table) {
        this.table = table;
        String now = now();
        String ownedLive = " WHERE idempotency_key = :key AND owner_token = :ownerToken AND status = " + IN_PROGRESS
                + " AND expires_at > " + now;
        String values = newRowValues();
        this.select = "SELECT status, fingerprint, owner_token, created_at, lease_expires_at, expires_at, payload,"
                + " CASE WHEN expires_at > " + now + " THEN 1 ELSE 0 END AS live FROM " + table
                + " WHERE idempotency_key = :key";
        this.insertIfAbsent = insertIfAbsent(values);
        this.upsertReturning = upsertReturning(values);
        this.insertReturning = insertReturning(insertIfAbsent);
        this.takeOverExpired = "UPDATE " + table + " SET fingerprint = :fingerprint, status = " + IN_PROGRESS
                + ", owner_token = :ownerToken, created_at = " + now + ", lease_expires_at = "
                + plusMicros(":leaseMicros")
                + ", expires_at = " + plusMicros(":leaseMicros") + ", payload = NULL WHERE idempotency_key = :key"
                + " AND expires_at <= " + now;
        this.complete =
                "UPDATE " + table + " SET status = " + COMPLETED + ", payload = :payload, lease_expires_at = NULL,"
                        + " expires_at = " + plusMicros(":ttlMicros") + ownedLive;
        this.renew = "UPDATE " + table + " SET lease_expires_at = " + plusMicros(":leaseMicros") + ", expires_at = "
                + plusMicros(":leaseMicros") + ownedLive;
        this.release = "DELETE FROM " + table + ownedLive;
        this.deleteLive = "DELETE FROM " + table + " WHERE idempotency_key = :key AND expires_at > " + now;
        this.deleteAny = "DELETE FROM " + table + " WHERE idempotency_key = :key";
        this.deleteExpired = deleteExpired();
        // '!' escapes: a backslash means different things in MySQL and PostgreSQL
        this.list = "SELECT idempotency_key, status, fingerprint, owner_token, created_at, lease_expires_at,"
                + " expires_at, payload, 1 AS live FROM " + table + " WHERE idempotency_key LIKE :pattern ESCAPE '!'"
                + " AND expires_at > " + now + " ORDER BY idempotency_key LIMIT :limit";
    }

    /**
     * The statements of the database that {@code productName} and its version name, on {@code table}.
     *
     * @throws IdempotencyConfigurationException for a database the store does not support
     */
    static JdbcStatements forDatabase(@Nullable String productName, int majorVersion, int minorVersion, String table) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return new PostgresStatements(table);
        }
        if (name.contains("mariadb")) {
            boolean returning = majorVersion > 10 || (majorVersion == 10 && minorVersion >= 5);
            return returning ? new MariaDbStatements(table) : new MySqlStatements(table);
        }
        if (name.contains("mysql")) {
            return new MySqlStatements(table);
        }
        if (name.equals("h2")) {
            return new H2Statements(table);
        }
        throw new IdempotencyConfigurationException(
                "The JDBC idempotency store does not support database '" + productName
                        + "'; it supports PostgreSQL, MySQL, MariaDB and H2. Use another store for this database");
    }

    /** The database's name in messages. */
    abstract String displayName();

    /** The {@code @@platform@@} of this database's schema script (see {@link JdbcSchemaScripts}). */
    abstract String schemaPlatform();

    /** The database clock, in an expression of the column type; fixed within one statement. */
    abstract String now();

    /** The database clock plus the microseconds of {@code parameter}. */
    abstract String plusMicros(String parameter);

    /** See {@link #insertIfAbsent}; {@code values} are the new row's, in the order of {@link #COLUMNS}. */
    abstract String insertIfAbsent(String values);

    /** See {@link #upsertReturning}; {@code null} unless the database has such a statement. */
    @Nullable
    String upsertReturning(String values) {
        return null;
    }

    /** See {@link #insertReturning}; {@code null} unless the database can return the inserted row. */
    @Nullable
    String insertReturning(String insertIfAbsent) {
        return null;
    }

    /** See {@link #deleteExpired}. */
    abstract String deleteExpired();

    /** Reads a timestamp column written with {@link #now()}; {@code null} stays {@code null}. */
    @Nullable
    Instant readInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Reads the key column. */
    String readKey(ResultSet rs, String column) throws SQLException {
        return rs.getString(column);
    }

    /** The values of a new row: the key, the fingerprint and the owner token, in progress for the lease. */
    private String newRowValues() {
        return ":key, :fingerprint, " + IN_PROGRESS + ", :ownerToken, " + now() + ", " + plusMicros(":leaseMicros")
                + ", " + plusMicros(":leaseMicros");
    }

    @Override
    public String toString() {
        return displayName() + " on " + table;
    }
}
