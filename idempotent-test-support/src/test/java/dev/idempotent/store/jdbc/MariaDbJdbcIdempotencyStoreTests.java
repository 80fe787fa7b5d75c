package dev.idempotent.store.jdbc;

/** The store contract and the JDBC store's own promises on a real MariaDB. */
class MariaDbJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreTestSupport {

    @Override
    protected TestDatabase database() {
        return TestDatabase.MARIADB;
    }

    @Override
    protected String tableName() {
        return "idem_contract_mariadb";
    }
}
