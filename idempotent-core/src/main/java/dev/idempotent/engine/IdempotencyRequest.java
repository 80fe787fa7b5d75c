package dev.idempotent.engine;

import dev.idempotent.OnInFlight;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.Keys;
import dev.idempotent.support.ResultCodec;
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

    /**
     * Starts a request of the operations named {@code name}, whose keys live in {@code store}. Unset, the key
     * space is {@code name}, the durations are {@link IdempotencyDefaults#STANDARD}'s, a repeat in flight is
     * rejected and the operation is named {@code name} in messages.
     */
    public static Builder builder(String name, IdempotencyStore store) {
        return new Builder(name, store);
    }

    /** Builds an {@link IdempotencyRequest}; the key is qualified for its store as it is set. */
    public static final class Builder {

        private final String name;

        private final IdempotencyStore store;

        private @Nullable String key;

        private @Nullable String fingerprint;

        private Duration ttl = IdempotencyDefaults.STANDARD.ttl();

        private Duration lease = IdempotencyDefaults.STANDARD.lease();

        private Duration waitTimeout = IdempotencyDefaults.STANDARD.waitTimeout();

        private OnInFlight onInFlight = OnInFlight.REJECT;

        private @Nullable ResultCodec codec;

        private @Nullable String operation;

        private Builder(String name, IdempotencyStore store) {
            this.name = Objects.requireNonNull(name, "name");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The key {@code value} in the key space of {@code name} ({@link Keys#qualify}). */
        public Builder key(String value) {
            return key(name, value);
        }

        /** The key {@code value} in key space {@code namespace} ({@link Keys#qualify}), e.g. {@code name@version}. */
        public Builder key(String namespace, String value) {
            this.key = Keys.qualify(namespace, value, store.maxKeyLength());
            return this;
        }

        public Builder fingerprint(@Nullable String fingerprint) {
            this.fingerprint = fingerprint;
            return this;
        }

        /** The ttl, lease and wait timeout of {@code defaults}. */
        public Builder durations(IdempotencyDefaults defaults) {
            return ttl(defaults.ttl()).lease(defaults.lease()).waitTimeout(defaults.waitTimeout());
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        public Builder waitTimeout(Duration waitTimeout) {
            this.waitTimeout = waitTimeout;
            return this;
        }

        public Builder onInFlight(OnInFlight onInFlight) {
            this.onInFlight = onInFlight;
            return this;
        }

        public Builder codec(ResultCodec codec) {
            this.codec = codec;
            return this;
        }

        /** How messages name the operation, e.g. {@code OrderService.place(Order)}. */
        public Builder operation(String operation) {
            this.operation = operation;
            return this;
        }

        /** @throws NullPointerException if the key or the codec was not set */
        public IdempotencyRequest build() {
            return new IdempotencyRequest(
                    name,
                    store,
                    Objects.requireNonNull(key, "key"),
                    fingerprint,
                    ttl,
                    lease,
                    onInFlight,
                    waitTimeout,
                    Objects.requireNonNull(codec, "codec"),
                    operation != null ? operation : name);
        }
    }
}
