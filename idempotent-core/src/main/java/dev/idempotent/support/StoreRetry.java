package dev.idempotent.support;

import dev.idempotent.IdempotencyStoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * How the engine retries a store step (claim, complete, release, renew) that failed
 * {@linkplain IdempotencyStoreUnavailableException#isTransient() transiently}: the first retry at once (the
 * pool has dropped the broken connection, so it runs on a fresh one), then with exponential backoff and
 * jitter, at most {@code maxRetries} times and for at most {@code timeout}, and never for more than a third
 * of the claim's lease, so that a retried step ends well before the lease does.
 *
 * @param maxRetries how many times a step is tried again after its first failure (0 turns retries off)
 * @param initialDelay the delay before the second retry; each later one doubles it, with jitter of half of it
 * @param maxDelay the longest delay between two retries
 * @param timeout the longest time spent retrying one step
 */
public record StoreRetry(int maxRetries, Duration initialDelay, Duration maxDelay, Duration timeout) {

    /** 8 retries, from 50 ms doubling up to 1 s, within 5 s: enough to ride out a database restart. */
    public static final StoreRetry STANDARD =
            new StoreRetry(8, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** No retry: every failure is reported at once. */
    public static final StoreRetry NONE = new StoreRetry(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1));

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

    /** The retries of one step of a claim with {@code lease}: one template per failure, none on success. */
    RetryTemplate template(Duration lease) {
        Duration budget = lease.dividedBy(3);
        if (timeout.compareTo(budget) < 0 || budget.isZero()) {
            budget = timeout;
        }
        // The template's first execution is the first retry, made at once; its backoff spaces the others.
        RetryPolicy policy = RetryPolicy.builder()
                .predicate(StoreRetry::isTransient)
                .maxRetries(Math.max(0, maxRetries - 1))
                .delay(initialDelay)
                .jitter(initialDelay.dividedBy(2))
                .multiplier(2)
                .maxDelay(maxDelay)
                .timeout(budget)
                .build();
        return new RetryTemplate(policy);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, "store retry " + name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("store retry " + name + " must be positive, was " + duration);
        }
    }
}
