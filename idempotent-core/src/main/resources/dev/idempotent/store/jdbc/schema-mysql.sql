-- Table of dev.idempotent.store.jdbc.JdbcIdempotencyStore for MySQL (5.7+) and MariaDB (10.3+).
-- One row per idempotency key. Times are DATETIME(6) in UTC, always computed by the database clock
-- (UTC_TIMESTAMP), so the session time zone does not matter.
-- The key is VARBINARY (its UTF-8 bytes, at most 255 characters): keys compare exactly, byte for byte,
-- whatever the collation (no case folding, no accent folding, no trailing-space padding).
-- InnoDB is required: every step of the store is a transaction.
-- Rows whose expires_at has passed are ignored by the store and deleted by purgeExpired(batchSize).
CREATE TABLE IF NOT EXISTS idempotency_record (
    idempotency_key  VARBINARY(1020) NOT NULL,
    fingerprint      VARCHAR(255),
    status           VARCHAR(16)  NOT NULL,
    owner_token      VARCHAR(255) NOT NULL,
    created_at       DATETIME(6)  NOT NULL,
    lease_expires_at DATETIME(6),
    expires_at       DATETIME(6)  NOT NULL,
    payload          LONGBLOB,
    PRIMARY KEY (idempotency_key),
    INDEX idempotency_record_expires_idx (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
