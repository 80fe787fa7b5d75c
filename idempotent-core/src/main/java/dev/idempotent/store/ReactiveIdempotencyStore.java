package dev.idempotent.store;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The store SPI for reactive callers: the atomic steps of {@link IdempotencyStore}, each answered by a
 * {@link Mono} that does its work when subscribed and never blocks the subscribing thread. The same rules
 * hold: every step is one atomic operation on the server, fenced by the owner token and safe to repeat, and
 * a store that cannot reach its backend signals
 * {@link dev.idempotent.IdempotencyStoreUnavailableException} (saying whether the failure is transient).
 *
 * <p>{@link #of(IdempotencyStore)} turns any store into one: a store that answers from memory
 * ({@link IdempotencyStore#blocksCallingThread()} false, as Caffeine) is called in place; any other
 * (JDBC) runs its steps on Reactor's bounded elastic scheduler, never on the subscribing thread. A store
 * with a non-blocking client implements this interface itself
 * ({@link dev.idempotent.store.redis.ReactiveRedisIdempotencyStore}).
 */
public interface ReactiveIdempotencyStore {

    /** {@link IdempotencyStore#claim}: the claim, or the live record that is there. */
    Mono<Claim> claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease);

    /** {@link IdempotencyStore#complete}: {@code false} if the claim was lost. */
    Mono<Boolean> complete(String key, String ownerToken, byte[] payload, Duration ttl);

    /** {@link IdempotencyStore#release}: {@code false} if the caller no longer owned the record. */
    Mono<Boolean> release(String key, String ownerToken);

    /** {@link IdempotencyStore#renew}: {@code false} if the claim was lost. */
    Mono<Boolean> renew(String key, String ownerToken, Duration lease);

    /** {@link IdempotencyStore#find}: the live record, or empty. */
    Mono<IdempotencyRecord> find(String key);

    /** {@link IdempotencyStore#delete}: whether there was a record. */
    Mono<Boolean> delete(String key);

    /** {@link IdempotencyStore#claimIsARead()}. */
    default boolean claimIsARead() {
        return false;
    }

    /** {@link IdempotencyStore#maxKeyLength()}. */
    default int maxKeyLength() {
        return 255;
    }

    /**
     * The same store for a caller that may wait (lease renewal and outcomes retried in the background run on
     * threads of their own): each step waits for its {@link Mono}. Never call it on an event-loop thread.
     */
    default IdempotencyStore blocking() {
        return new BlockingReactiveStore(this);
    }

    /**
     * {@code store} for reactive callers: called in place if it does not block its caller, otherwise on
     * Reactor's bounded elastic scheduler.
     */
    static ReactiveIdempotencyStore of(IdempotencyStore store) {
        return new ReactiveIdempotencyStoreAdapter(store);
    }
}
