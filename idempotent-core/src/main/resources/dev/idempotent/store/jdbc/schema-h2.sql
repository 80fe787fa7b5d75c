-- Table of dev.idempotent.store.jdbc.JdbcIdempotencyStore for H2 (2.x).
-- One row per idempotency key. Times are TIMESTAMP WITH TIME ZONE, always computed by the database clock.
-- Rows whose expires_at has passed are ignored by the store and deleted by purgeExpired(batchSize).
CREATE TABLE IF NOT EXISTS idempotency_record (
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
CREATE INDEX IF NOT EXISTS idempotency_record_expires_idx ON idempotency_record (expires_at);
