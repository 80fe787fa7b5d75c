-- The table of the JDBC idempotency store, created by a Flyway migration (JdbcStoreInitializationTests).
CREATE TABLE IF NOT EXISTS migrated_records (
    idempotency_key  VARCHAR(255) NOT NULL,
    fingerprint      VARCHAR(255),
    status           VARCHAR(16)  NOT NULL,
    owner_token      VARCHAR(255) NOT NULL,
    created_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    lease_expires_at TIMESTAMP(6) WITH TIME ZONE,
    expires_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    payload          BLOB,
    PRIMARY KEY (idempotency_key)
);
CREATE INDEX IF NOT EXISTS migrated_records_expires_idx ON migrated_records (expires_at);
