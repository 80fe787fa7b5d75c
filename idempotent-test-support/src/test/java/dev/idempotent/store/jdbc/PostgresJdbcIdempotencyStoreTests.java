package dev.idempotent.store.jdbc;

/** The store contract and the JDBC store's own promises on a real PostgreSQL. */
class PostgresJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreTestSupport {

    @Override
    protected TestDatabase database() {
        return TestDatabase.POSTGRESQL;
    }

    @Override
    protected String tableName() {
        return "idem_contract_pg";
    }
}
