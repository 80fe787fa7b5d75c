package dev.idempotent.store.jdbc;

/**
 * MariaDB 10.5+: as {@link MySqlStatements}, and the insert-if-absent returns the row it inserted
 * ({@code INSERT IGNORE .. RETURNING}), so a claim of a free key is one statement.
 */
final class MariaDbStatements extends MySqlStatements {

    MariaDbStatements(String table) {
        super(table);
    }

    @Override
    String displayName() {
        return "MariaDB";
    }

    @Override
    String insertReturning(String insertIfAbsent) {
        return insertIfAbsent + " RETURNING " + RETURNING;
    }
}
