package dev.idempotent;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Another call with the same key has claimed it and is still running. */
public class IdempotencyInFlightException extends IdempotencyException {

    private final String key;

    private final @Nullable Instant leaseExpiresAt;

    public IdempotencyInFlightException(String message, String key, @Nullable Instant leaseExpiresAt) {
        super(message);
        this.key = key;
        this.leaseExpiresAt = leaseExpiresAt;
    }

    /** The key (namespace included) that is in flight. */
    public String getKey() {
        return key;
    }

    /** When the running call's lease ends unless it renews it; {@code null} if unknown. */
    public @Nullable Instant getLeaseExpiresAt() {
        return leaseExpiresAt;
    }
}
