package dev.idempotent.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Outcomes the store could not take when the operation ended, kept and retried in the background so that a
 * store fault at completion never turns one run into two: a completion keeps its claim alive (its lease is
 * renewed) until it is stored, the claim is lost, or the retry timeout passes; a release frees its key as
 * soon as the store is back instead of when the lease ends.
 *
 * <p>One daemon thread tries them in the order they came, the oldest first: while it fails, the store is
 * still unreachable, so the others wait behind it with a growing pause (up to {@value #MAX_PAUSE_MILLIS} ms).
 * At most {@code maxPending} are kept; {@link #close()} tries each of them once more.
 */
final class PendingOutcomes implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(PendingOutcomes.class);

    private static final long FIRST_PAUSE_MILLIS = 100;

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(FIRST_PAUSE_MILLIS);

    private static final long MAX_PAUSE_MILLIS = 5000;

    /** One outcome to store: a completion with its payload and renewal, or a release. */
    interface Outcome {

        /**
         * Stores it: {@code true} when done (stored, or nothing left to do); throws while the store fails.
         *
         * @param retry whether transient failures are retried within the store retry budget (not at shutdown)
         */
        boolean attempt(boolean retry);

        /** Called once when it is given up: at the deadline, when the queue is full, or at shutdown. */
        void abandon(String why);
    }

    private record Entry(Outcome outcome, long deadlineNanos, long addedNanos) {}

    private final Deque<Entry> queue = new ArrayDeque<>();

    private final Object lock = new Object();

    private int maxPending = 10_000;

    private Duration retryTimeout = Duration.ofMinutes(10);

    private @Nullable Thread worker;

    private boolean closed;

    void setMaxPending(int maxPending) {
        if (maxPending < 0) {
            throw new IllegalArgumentException("max pending completions must not be negative, was " + maxPending);
        }
        this.maxPending = maxPending;
    }

    void setRetryTimeout(Duration retryTimeout) {
        if (retryTimeout == null || retryTimeout.isNegative()) {
            throw new IllegalArgumentException("completion retry timeout must not be negative, was " + retryTimeout);
        }
        this.retryTimeout = retryTimeout;
    }

    Duration retryTimeout() {
        return retryTimeout;
    }

    /** How many outcomes wait for the store. */
    int size() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Keeps {@code outcome} to be retried, or abandons it at once when the queue is full or closed. */
    void add(Outcome outcome) {
        long now = System.nanoTime();
        synchronized (lock) {
            if (!closed && queue.size() < maxPending && !retryTimeout.isZero()) {
                queue.addLast(new Entry(outcome, now + retryTimeout.toNanos(), now));
                if (worker == null) {
                    worker = new Thread(this::work, "idempotency-pending-outcomes");
                    worker.setDaemon(true);
                    worker.start();
                }
                lock.notifyAll();
                return;
            }
        }
        outcome.abandon(
                closed
                        ? "the application is shutting down"
                        : retryTimeout.isZero()
                                ? "completion retries are off (completion-retry-timeout is 0)"
                                : maxPending + " outcomes already wait for the store (max-pending-completions)");
    }

    private void work() {
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            Entry head;
            synchronized (lock) {
                while (!closed && queue.isEmpty()) {
                    waitQuietly(0);
                }
                if (closed) {
                    return;
                }
                head = queue.peekFirst();
                // the store has just failed: give it a moment before the first try
                long wait = TimeUnit.NANOSECONDS.toMillis(head.addedNanos + FIRST_PAUSE_NANOS - System.nanoTime());
                if (wait > 0) {
                    waitQuietly(wait);
                    continue;
                }
            }
            if (attempt(head, true)) {
                remove(head);
                pause = FIRST_PAUSE_MILLIS;
                continue;
            }
            abandonExpired();
            synchronized (lock) {
                if (closed) {
                    return;
                }
                waitQuietly(pause);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        }
    }

    private static boolean attempt(Entry entry, boolean retry) {
        try {
            return entry.outcome.attempt(retry);
        } catch (RuntimeException e) {
            if (logger.isDebugEnabled()) {
                logger.debug("The store still fails; will try again: " + e);
            }
            return false;
        }
    }

    private void remove(Entry entry) {
        synchronized (lock) {
            queue.remove(entry);
        }
    }

    private void abandonExpired() {
        long now = System.nanoTime();
        List<Entry> expired = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
                Entry entry = it.next();
                if (now - entry.deadlineNanos >= 0) {
                    it.remove();
                    expired.add(entry);
                }
            }
        }
        expired.forEach(
                entry -> entry.outcome.abandon("the store failed for " + retryTimeout + " (completion-retry-timeout)"));
    }

    private void waitQuietly(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Stops the background retries and tries every waiting outcome once more, in order; those that still
     * fail are abandoned (logged as errors).
     */
    @Override
    public void close() {
        Thread running;
        List<Entry> left;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            running = worker;
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                // let an attempt under way finish: it may be the one that stores an outcome
                running.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            left = new ArrayList<>(queue);
            queue.clear();
        }
        if (!left.isEmpty()) {
            logger.info("Trying once more to store " + left.size() + " idempotency outcome(s) before shutting down");
        }
        for (Entry entry : left) {
            if (!attempt(entry, false)) {
                entry.outcome.abandon("the application shut down while the store failed");
            }
        }
    }
}
