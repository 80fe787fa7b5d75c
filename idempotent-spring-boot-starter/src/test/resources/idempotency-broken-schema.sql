-- A schema script of an application's own that fails (JdbcStoreInitializationTests).
CREATE TABLE idempotency_record (this is not a column list);
