package dev.idempotent.store.jdbc;

/**
 * H2 2.x. {@code MERGE .. WHEN NOT MATCHED} is not atomic against a concurrent insert of the same key in H2:
 * its duplicate key error means the key is present, and the store treats it so. {@code CURRENT_TIMESTAMP} is
 * fixed for a whole transaction in H2, which is exact for the store's own statements; a completion that joins
 * a caller's transaction computes its ttl from the start of that transaction.
 */
final class H2Statements extends JdbcStatements {

    private static final String NOW = "CURRENT_TIMESTAMP(6)";

    H2Statements(String table) {
        super(table);
    }

    @Override
    String displayName() {
        return "H2";
    }

    @Override
    String schemaPlatform() {
        return "h2";
    }

    @Override
    String now() {
        return NOW;
    }

    @Override
    String plusMicros(String parameter) {
        return "DATEADD(MICROSECOND, " + parameter + ", " + NOW + ")";
    }

    @Override
    String insertIfAbsent(String values) {
        return "MERGE INTO " + table + " t USING (VALUES (CAST(:key AS VARCHAR(" + JdbcIdempotencyStore.MAX_KEY_LENGTH
                + ")))) s(k) ON t.idempotency_key = s.k WHEN NOT MATCHED THEN INSERT (" + COLUMNS + ") VALUES ("
                + values
                + ")";
    }

    @Override
    String deleteExpired() {
        return "DELETE FROM " + table + " WHERE expires_at <= " + NOW + " FETCH FIRST :batchSize ROWS ONLY";
    }
}
