package dev.idempotent.autoconfigure;

/** The store behind {@code @Idempotent} ({@code idempotency.store}). */
public enum StoreType {

    /** In memory, one JVM (Caffeine). */
    CAFFEINE,

    /** Redis, through the application's RedisConnectionFactory. */
    REDIS,

    /** A relational database, through the application's DataSource. */
    JDBC
}
