package dev.idempotent.autoconfigure;

import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes expired records of the JDBC store in bounded batches every {@code idempotency.jdbc.cleanup-interval},
 * on a daemon thread, so the table does not grow without end. Safe on every node at once.
 */
class JdbcExpiredRecordCleanup implements SmartLifecycle {

    private static final Log logger = LogFactory.getLog(JdbcExpiredRecordCleanup.class);

    private final JdbcIdempotencyStore store;

    private final @Nullable Duration interval;

    private final int batchSize;

    private volatile @Nullable ScheduledExecutorService scheduler;

    JdbcExpiredRecordCleanup(JdbcIdempotencyStore store, @Nullable Duration interval, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("idempotency.jdbc.cleanup-batch-size must be positive, was " + batchSize);
        }
        this.store = store;
        this.interval = interval;
        this.batchSize = batchSize;
    }

    @Override
    public void start() {
        if (interval == null || interval.isZero() || interval.isNegative()) {
            logger.info("Cleanup of expired idempotency records is disabled (idempotency.jdbc.cleanup-interval)");
            return;
        }
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "idempotency-jdbc-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        started.scheduleWithFixedDelay(this::purge, millis, millis, TimeUnit.MILLISECONDS);
        scheduler = started;
    }

    void purge() {
        try {
            int deleted = store.purgeExpired(batchSize);
            if (deleted > 0 && logger.isDebugEnabled()) {
                logger.debug("Deleted " + deleted + " expired idempotency records from " + store.getTableName());
            }
        } catch (RuntimeException e) {
            logger.warn("Could not delete expired idempotency records from " + store.getTableName() + "; will try again", e);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService running = scheduler;
        if (running != null) {
            running.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
