package dev.idempotent.store.jdbc;

/**
 * PostgreSQL 9.5+. {@code statement_timestamp()} rather than {@code now()}: {@code now()} is the start of the
 * transaction, which is stale when a completion joins a long caller transaction. A claim is one statement:
 * {@code INSERT .. ON CONFLICT .. DO UPDATE .. WHERE <expired> RETURNING}.
 */
final class PostgresStatements extends JdbcStatements {

    private static final String NOW = "statement_timestamp()";

    PostgresStatements(String table) {
        super(table);
    }

    @Override
    String displayName() {
        return "PostgreSQL";
    }

    @Override
    String schemaPlatform() {
        return "postgresql";
    }

    @Override
    String now() {
        return NOW;
    }

    @Override
    String plusMicros(String parameter) {
        return "(" + NOW + " + " + parameter + " * INTERVAL '1 microsecond')";
    }

    @Override
    String insertIfAbsent(String values) {
        return "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (" + values
                + ") ON CONFLICT (idempotency_key) DO NOTHING";
    }

    @Override
    String upsertReturning(String values) {
        // ON CONFLICT locks the existing row and re-checks the WHERE on its latest version: atomic
        return "INSERT INTO " + table + " AS r (" + COLUMNS + ") VALUES (" + values + ") ON CONFLICT (idempotency_key)"
                + " DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,"
                + " owner_token = EXCLUDED.owner_token, created_at = EXCLUDED.created_at,"
                + " lease_expires_at = EXCLUDED.lease_expires_at, expires_at = EXCLUDED.expires_at, payload = NULL"
                + " WHERE r.expires_at <= " + NOW + " RETURNING " + RETURNING;
    }

    @Override
    String deleteExpired() {
        // SKIP LOCKED: never wait for a row that a claim is taking over right now
        return "DELETE FROM " + table + " WHERE idempotency_key IN (SELECT idempotency_key FROM " + table
                + " WHERE expires_at <= " + NOW + " LIMIT :batchSize FOR UPDATE SKIP LOCKED) AND expires_at <= " + NOW;
    }
}
