package dev.idempotent.autoconfigure;

import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Deletes expired records of the JDBC store in bounded batches every {@code idempotency.jdbc.cleanup-interval}
 * ({@link JdbcIdempotencyStore#purgeExpired(int)}), so the table does not grow without end. Safe on every node
 * at once. Runs on the {@link TaskScheduler} it is given (the application's bean named
 * {@value #SCHEDULER_BEAN_NAME}), else on a scheduler of its own with one daemon thread, started and stopped
 * with the application context.
 */
class JdbcExpiredRecordCleanup implements SmartLifecycle {

    /** The name of an application's {@link TaskScheduler} bean that the cleanup runs on instead of its own. */
    static final String SCHEDULER_BEAN_NAME = "idempotencyTaskScheduler";

    private static final Log logger = LogFactory.getLog(JdbcExpiredRecordCleanup.class);

    private final JdbcIdempotencyStore store;

    private final @Nullable TaskScheduler givenScheduler;

    private final @Nullable Duration interval;

    private final int batchSize;

    private @Nullable ThreadPoolTaskScheduler ownScheduler;

    private @Nullable ScheduledFuture<?> task;

    /**
     * @param scheduler the scheduler to run on, or {@code null} for one of its own
     */
    JdbcExpiredRecordCleanup(
            JdbcIdempotencyStore store, @Nullable TaskScheduler scheduler, @Nullable Duration interval, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException(
                    "idempotency.jdbc.cleanup-batch-size must be positive, was " + batchSize);
        }
        this.store = store;
        this.givenScheduler = scheduler;
        this.interval = interval;
        this.batchSize = batchSize;
    }

    @Override
    public synchronized void start() {
        if (interval == null || interval.isZero() || interval.isNegative()) {
            logger.info("Cleanup of expired idempotency records is disabled (idempotency.jdbc.cleanup-interval)");
            return;
        }
        TaskScheduler scheduler = givenScheduler;
        if (scheduler == null) {
            ownScheduler = new ThreadPoolTaskScheduler();
            ownScheduler.setThreadNamePrefix("idempotency-jdbc-cleanup-");
            ownScheduler.setDaemon(true);
            ownScheduler.initialize();
            scheduler = ownScheduler;
        }
        task = scheduler.scheduleWithFixedDelay(this::purge, Instant.now().plus(interval), interval);
    }

    /** One cleanup: every expired record, in batches; a failure is logged and the next run tries again. */
    void purge() {
        try {
            int deleted = store.purgeExpired(batchSize);
            if (deleted > 0 && logger.isDebugEnabled()) {
                logger.debug("Deleted " + deleted + " expired idempotency records from " + store.getTableName());
            }
        } catch (RuntimeException e) {
            logger.warn(
                    "Could not delete expired idempotency records from " + store.getTableName() + "; will try again",
                    e);
        }
    }

    @Override
    public synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        if (ownScheduler != null) {
            ownScheduler.shutdown();
            ownScheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return task != null;
    }
}
