package dev.idempotent.store.jdbc;

/** The store contract and the JDBC store's own promises on a real H2 (in memory). */
class H2JdbcIdempotencyStoreTests extends JdbcIdempotencyStoreTestSupport {

    @Override
    protected TestDatabase database() {
        return TestDatabase.H2;
    }

    @Override
    protected String tableName() {
        return "idem_contract_h2";
    }
}
