package dev.idempotent.engine;

import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Renews the lease of every running claim at a third of its length, so that a long run never loses its
 * claim while its JVM lives, and a crashed JVM's claim frees itself when its lease ends.
 *
 * <p>One daemon thread sweeps the running claims every {@value #TICK_MILLIS} ms and hands those that are
 * due to a pool of daemon threads, so a store call that hangs delays only its own claim's renewal. Starting
 * and stopping a renewal only adds it to or removes it from a set, so the many short runs that finish
 * before their first renewal cost no thread wake-up. While nothing runs, the sweeper parks for up to
 * {@value #IDLE_PARK_MILLIS} ms; a claim wakes it only when its first renewal is due before that park ends
 * (a lease under three times as long), so calls that come one at a time do not wake it on every call.
 */
final class LeaseRenewer implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(LeaseRenewer.class);

    /** How often due renewals are looked for; a renewal is at most this late. */
    static final long TICK_MILLIS = 20;

    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    /** The longest the sweeper parks while no claim runs. */
    static final long IDLE_PARK_MILLIS = 1000;

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(IDLE_PARK_MILLIS);

    private final IdempotencyEngine engine;

    private final Set<Renewal> running = ConcurrentHashMap.newKeySet();

    private final Object lifecycle = new Object();

    private final ExecutorService renewals = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "idempotency-lease-renewal");
        thread.setDaemon(true);
        return thread;
    });

    private volatile @Nullable Thread sweeper;

    private volatile boolean closed;

    /** Whether the sweeper is parked (or about to park) with nothing to renew, until {@link #idleUntil}. */
    private volatile boolean idle;

    /** When the idle sweeper's park ends on its own ({@link System#nanoTime()}). */
    private volatile long idleUntil;

    /** How many times a starting claim woke the idle sweeper (for tests). */
    private final AtomicLong wakeUps = new AtomicLong();

    LeaseRenewer(IdempotencyEngine engine) {
        this.engine = engine;
    }

    /** Starts renewing; the returned handle stops it. */
    Renewal start(IdempotencyStore store, String key, String ownerToken, Duration lease) {
        long period = Math.max(MIN_PERIOD_NANOS, lease.toNanos() / 3);
        Renewal renewal = new Renewal(this, store, key, ownerToken, lease, period);
        running.add(renewal);
        Thread thread = sweeper();
        // the sweeper publishes idle before it looks at the set a last time, and this reads idle after adding
        // to the set: one of the two sees the other, so a renewal due before the idle park ends is never missed
        if (thread != null && idle && renewal.nextRenewal - idleUntil < 0) {
            wakeUps.incrementAndGet();
            LockSupport.unpark(thread);
        }
        return renewal;
    }

    /** How many times a starting claim woke the idle sweeper. */
    long wakeUps() {
        return wakeUps.get();
    }

    /** The sweeper thread, started by the first claim; a volatile read once it runs, no lock. */
    private @Nullable Thread sweeper() {
        Thread thread = sweeper;
        if (thread != null) {
            return thread;
        }
        synchronized (lifecycle) {
            if (sweeper == null && !closed) {
                Thread started = new Thread(this::sweep, "idempotency-lease-renewer");
                started.setDaemon(true);
                started.start();
                sweeper = started;
            }
            return sweeper;
        }
    }

    private void sweep() {
        while (!closed) {
            if (running.isEmpty()) {
                idleUntil = System.nanoTime() + IDLE_PARK_NANOS;
                idle = true;
                if (running.isEmpty() && !closed) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(this, MIN_PERIOD_NANOS);
            long now = System.nanoTime();
            for (Renewal renewal : running) {
                if (now - renewal.nextRenewal >= 0 && renewal.renewing.compareAndSet(false, true)) {
                    renewal.nextRenewal = now + renewal.period;
                    try {
                        renewals.execute(renewal::renewOnce);
                    } catch (RejectedExecutionException closing) {
                        renewal.renewing.set(false);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        running.clear();
        renewals.shutdownNow();
        synchronized (lifecycle) {
            if (sweeper != null) {
                LockSupport.unpark(sweeper);
            }
        }
    }

    /** One claim being kept alive. */
    static final class Renewal {

        private final LeaseRenewer renewer;

        private final IdempotencyStore store;

        private final String key;

        private final String ownerToken;

        private final Duration lease;

        private final long period;

        private volatile long nextRenewal;

        private volatile boolean stopped;

        /** Whether a renewal of this claim is under way (a slow one is not started twice). */
        private final AtomicBoolean renewing = new AtomicBoolean();

        private Renewal(
                LeaseRenewer renewer,
                IdempotencyStore store,
                String key,
                String ownerToken,
                Duration lease,
                long period) {
            this.renewer = renewer;
            this.store = store;
            this.key = key;
            this.ownerToken = ownerToken;
            this.lease = lease;
            this.period = period;
            this.nextRenewal = System.nanoTime() + period;
        }

        private void renewOnce() {
            try {
                renew();
            } finally {
                renewing.set(false);
            }
        }

        private void renew() {
            if (stopped) {
                return;
            }
            try {
                if (!renewer.engine.step(store, "renew", lease, () -> store.renew(key, ownerToken, lease))
                        && !stopped) {
                    logger.warn("Lost the claim on idempotency key '" + key + "' while running: its lease ended"
                            + " or it was deleted, so another caller may run the same operation. Use a longer lease"
                            + " if renewals are delayed.");
                    stop();
                }
            } catch (RuntimeException e) {
                logger.warn("Could not renew the lease of idempotency key '" + key + "'; will try again: " + e);
            }
        }

        void stop() {
            stopped = true;
            renewer.running.remove(this);
        }
    }
}
