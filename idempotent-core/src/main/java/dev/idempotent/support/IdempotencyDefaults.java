package dev.idempotent.support;

import java.time.Duration;
import java.util.Objects;

/**
 * The values an operation gets when it does not set its own.
 *
 * @param ttl how long a completed result is remembered (default 24h)
 * @param lease how long a claim holds without renewal (default 1m)
 * @param waitTimeout how long {@code OnInFlight.WAIT} waits (default 30s)
 */
public record IdempotencyDefaults(Duration ttl, Duration lease, Duration waitTimeout) {

    public static final IdempotencyDefaults STANDARD =
            new IdempotencyDefaults(Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofSeconds(30));

    public IdempotencyDefaults {
        requirePositive(ttl, "ttl");
        requirePositive(lease, "lease");
        requirePositive(waitTimeout, "waitTimeout");
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("default " + name + " must be positive, was " + duration);
        }
    }
}
