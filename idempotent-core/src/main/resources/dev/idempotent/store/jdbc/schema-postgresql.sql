-- Table of dev.idempotent.store.jdbc.JdbcIdempotencyStore for PostgreSQL.
-- One row per idempotency key. Times are timestamptz, always computed by the database clock.
-- Rows whose expires_at has passed are ignored by the store and deleted by purgeExpired(batchSize).
CREATE TABLE IF NOT EXISTS idempotency_record (
    idempotency_key  VARCHAR(255) COLLATE "C" NOT NULL,
    fingerprint      VARCHAR(255),
    status           VARCHAR(16)  NOT NULL,
    owner_token      VARCHAR(255) NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    lease_expires_at TIMESTAMPTZ,
    expires_at       TIMESTAMPTZ  NOT NULL,
    payload          BYTEA,
    PRIMARY KEY (idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_record_expires_idx ON idempotency_record (expires_at);
