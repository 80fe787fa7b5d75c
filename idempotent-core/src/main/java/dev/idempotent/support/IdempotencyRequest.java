package dev.idempotent.support;

import dev.idempotent.OnInFlight;
import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One call to protect, as the {@link IdempotencyEngine} needs it.
 *
 * @param name the namespace (metrics tag)
 * @param store where the record lives
 * @param key the full store key (namespace included, already hashed if too long)
 * @param fingerprint hash of what this call is asked to do
 * @param ttl how long a completed result is remembered
 * @param lease how long a claim holds without renewal
 * @param onInFlight what to do when another call holds the key
 * @param waitTimeout how long {@link OnInFlight#WAIT} waits
 * @param codec how the outcome is stored and replayed
 * @param operation names the operation in messages, e.g. {@code OrderService.place(Order)}
 */
public record IdempotencyRequest(
        String name,
        IdempotencyStore store,
        String key,
        @Nullable String fingerprint,
        Duration ttl,
        Duration lease,
        OnInFlight onInFlight,
        Duration waitTimeout,
        ResultCodec codec,
        String operation) {

    public IdempotencyRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(onInFlight, "onInFlight");
        Objects.requireNonNull(waitTimeout, "waitTimeout");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(operation, "operation");
    }
}
