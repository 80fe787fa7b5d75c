package dev.idempotent.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.commons.logging.Log;

/**
 * A warning that repeats under load (an eviction, a result too large to store) logged at most once per
 * interval, with the number of occurrences it stands for: a flood writes one line a minute, not thousands a
 * second. The first occurrence is logged at once; those that follow within the interval are counted and
 * reported by the next line.
 */
public final class RateLimitedWarning {

    /** How often a repeating warning is logged by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private final Log logger;

    private final long intervalNanos;

    private final LongSupplier nanoTime;

    private final AtomicLong pending = new AtomicLong();

    private final AtomicLong nextLineAt;

    /** What one line says, given how many occurrences it stands for and the latest one's details. */
    @FunctionalInterface
    public interface Message {
        String describe(long count, String latest);
    }

    public RateLimitedWarning(Log logger) {
        this(logger, DEFAULT_INTERVAL, System::nanoTime);
    }

    RateLimitedWarning(Log logger, Duration interval, LongSupplier nanoTime) {
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Counts one occurrence and, if no line was logged within the interval, logs one for every occurrence
     * counted since the last line.
     *
     * @param latest details of this occurrence (a key, a size), passed to {@code message}
     * @return whether a line was logged
     */
    public boolean warn(String latest, Message message) {
        pending.incrementAndGet();
        long now = nanoTime.getAsLong();
        long due = nextLineAt.get();
        if (now - due < 0 || !nextLineAt.compareAndSet(due, now + intervalNanos)) {
            return false;
        }
        long count = pending.getAndSet(0);
        if (count > 0 && logger.isWarnEnabled()) {
            logger.warn(message.describe(count, latest));
        }
        return true;
    }
}
