package dev.idempotent.autoconfigure;

import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcSchemaScripts;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.init.DatabaseInitializationProperties;

/**
 * Configuration of the JDBC store ({@code idempotency.jdbc.*}). Its table is created through Spring Boot's
 * database initialization, as Spring Session JDBC's is: {@code initialize-schema}, {@code schema},
 * {@code platform} and {@code continue-on-error} come from {@link DatabaseInitializationProperties}.
 */
@ConfigurationProperties("idempotency.jdbc")
public class IdempotencyJdbcProperties extends DatabaseInitializationProperties {

    /**
     * Name of the table (letters, digits, underscores, optionally schema-qualified). The shipped schema
     * scripts create the table under this name.
     */
    private String tableName = JdbcIdempotencyStore.DEFAULT_TABLE_NAME;

    /**
     * Whether the completed record is written inside the transaction of the operation, so that the
     * operation's writes on the same DataSource and its record commit or roll back together (exactly
     * once on one database).
     */
    private boolean completeInTransaction = false;

    /**
     * How often expired records are deleted. Zero or negative disables the cleanup.
     */
    private Duration cleanupInterval = Duration.ofMinutes(10);

    /**
     * How many expired records one cleanup statement deletes at most (the cleanup repeats until done).
     */
    private int cleanupBatchSize = 1000;

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public boolean isCompleteInTransaction() {
        return completeInTransaction;
    }

    public void setCompleteInTransaction(boolean completeInTransaction) {
        this.completeInTransaction = completeInTransaction;
    }

    public Duration getCleanupInterval() {
        return cleanupInterval;
    }

    public void setCleanupInterval(Duration cleanupInterval) {
        this.cleanupInterval = cleanupInterval;
    }

    public int getCleanupBatchSize() {
        return cleanupBatchSize;
    }

    public void setCleanupBatchSize(int cleanupBatchSize) {
        this.cleanupBatchSize = cleanupBatchSize;
    }

    /** The shipped scripts, {@value JdbcSchemaScripts#LOCATION}. */
    @Override
    public String getDefaultSchemaLocation() {
        return JdbcSchemaScripts.LOCATION;
    }
}
