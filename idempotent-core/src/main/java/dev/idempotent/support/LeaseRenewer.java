package dev.idempotent.support;

import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Renews the lease of every running claim at a third of its length, on one daemon thread, so that a long
 * run never loses its claim while its JVM lives, and a crashed JVM's claim frees itself when its lease
 * ends.
 */
final class LeaseRenewer implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(LeaseRenewer.class);

    private static final long MIN_PERIOD_MILLIS = 10;

    private final ScheduledExecutorService scheduler;

    private final IdempotencyEngine engine;

    LeaseRenewer(IdempotencyEngine engine) {
        this.engine = engine;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "idempotency-lease-renewer");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
    }

    /** Starts renewing; the returned handle stops it. */
    Renewal start(IdempotencyStore store, String key, String ownerToken, Duration lease) {
        long period = Math.max(MIN_PERIOD_MILLIS, lease.toMillis() / 3);
        Renewal renewal = new Renewal(key, engine);
        renewal.future = scheduler.scheduleAtFixedRate(() -> renewal.renew(store, ownerToken, lease),
                period, period, TimeUnit.MILLISECONDS);
        return renewal;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One claim being kept alive. */
    static final class Renewal {

        private final String key;

        private final IdempotencyEngine engine;

        private volatile ScheduledFuture<?> future;

        private volatile boolean stopped;

        private Renewal(String key, IdempotencyEngine engine) {
            this.key = key;
            this.engine = engine;
        }

        private void renew(IdempotencyStore store, String ownerToken, Duration lease) {
            if (stopped) {
                return;
            }
            try {
                if (!engine.timed(store, "renew", () -> store.renew(key, ownerToken, lease)) && !stopped) {
                    logger.warn("Lost the claim on idempotency key '" + key + "' while running: its lease ended"
                            + " or it was deleted, so another caller may run the same operation. Use a longer lease"
                            + " if renewals are delayed.");
                    stop();
                }
            } catch (RuntimeException e) {
                logger.warn("Could not renew the lease of idempotency key '" + key + "'; will try again", e);
            }
        }

        void stop() {
            stopped = true;
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
