package dev.idempotent.engine;

import dev.idempotent.IdempotencyStoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * How the engine retries a store step (claim, complete, release, renew) that failed
 * {@linkplain IdempotencyStoreUnavailableException#isTransient() transiently}: the first retry at once (the
 * pool has dropped the broken connection, so it runs on a fresh one), then with exponential backoff and
 * jitter, at most {@code maxRetries} times and within {@code timeout} from the step's first attempt, and
 * never for more than a third of the claim's lease, so that a retried step ends well before the lease does.
 * A first attempt that alone used up the budget (a connect or socket timeout) is not repeated.
 *
 * @param maxRetries how many times a step is tried again after its first failure (0 turns retries off)
 * @param initialDelay the delay before the second retry; each later one doubles it, with jitter of half of it
 * @param maxDelay the longest delay between two retries
 * @param timeout the longest time one step may take, its first attempt and retries together (a single
 *     attempt is bounded by the client's own timeouts)
 */
public record StoreRetry(int maxRetries, Duration initialDelay, Duration maxDelay, Duration timeout) {

    /** 8 retries, from 50 ms doubling up to 1 s, within 5 s: enough to ride out a database restart. */
    public static final StoreRetry STANDARD =
            new StoreRetry(8, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** No retry: every failure is reported at once. */
    public static final StoreRetry NONE =
            new StoreRetry(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1));

    public StoreRetry {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("store retry max-retries must not be negative, was " + maxRetries);
        }
        requirePositive(initialDelay, "initial-delay");
        requirePositive(maxDelay, "max-delay");
        requirePositive(timeout, "timeout");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("store retry max-delay (" + maxDelay
                    + ") must not be shorter than its initial-delay (" + initialDelay + ")");
        }
    }

    /** Whether {@code failure} is worth retrying. */
    static boolean isTransient(Throwable failure) {
        return failure instanceof IdempotencyStoreUnavailableException unavailable && unavailable.isTransient();
    }

    /** The time one step may take, retries included, for a claim with {@code lease}. */
    Duration budget(Duration lease) {
        Duration third = lease.dividedBy(3);
        return third.isZero() || timeout.compareTo(third) < 0 ? timeout : third;
    }

    /**
     * The retries of one step whose first attempt failed after {@code elapsed}, within what is left of the
     * budget; {@code null} when nothing is left (or retries are off), so a slow first failure is not repeated.
     */
    @Nullable
    RetryTemplate template(Duration lease, Duration elapsed) {
        Duration left = budget(lease).minus(elapsed);
        if (maxRetries == 0 || left.isNegative() || left.isZero()) {
            return null;
        }
        // The template's first execution is the first retry, made at once; its backoff spaces the others.
        RetryPolicy policy = RetryPolicy.builder()
                .predicate(StoreRetry::isTransient)
                .maxRetries(maxRetries - 1)
                .delay(initialDelay)
                .jitter(initialDelay.dividedBy(2))
                .multiplier(2)
                .maxDelay(maxDelay)
                .timeout(left)
                .build();
        return new RetryTemplate(policy);
    }

    /**
     * The pause before retry number {@code retry} (0 for the first) of a step whose first attempt started
     * {@code elapsed} ago, for a claim with {@code lease}: the first at once, then {@code initialDelay}
     * doubling up to {@code maxDelay}, with jitter of half the initial delay; {@code null} when no retry is
     * left (the retries are spent, or the pause would end past the budget). What {@link #template} does for
     * a blocking step, for a step that waits on a timer instead of a thread.
     */
    @Nullable
    Duration nextDelay(Duration lease, Duration elapsed, long retry) {
        if (retry >= maxRetries) {
            return null;
        }
        Duration delay = Duration.ZERO;
        if (retry > 0) {
            long base = initialDelay.toNanos() << Math.min(retry - 1, 30);
            long capped = base <= 0 ? maxDelay.toNanos() : Math.min(base, maxDelay.toNanos());
            long jitter = initialDelay.toNanos() / 2;
            delay = Duration.ofNanos(capped
                    + (jitter <= 0
                            ? 0
                            : java.util.concurrent.ThreadLocalRandom.current().nextLong(jitter + 1)));
        }
        return elapsed.plus(delay).compareTo(budget(lease)) < 0 ? delay : null;
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, "store retry " + name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("store retry " + name + " must be positive, was " + duration);
        }
    }
}
