package dev.idempotent.store;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A {@link ReactiveIdempotencyStore} for callers that may wait: each step subscribes and waits for the
 * answer. Reactor refuses to wait on a non-blocking thread (an event loop), so a misuse fails loudly.
 */
final class BlockingReactiveStore implements IdempotencyStore {

    private final ReactiveIdempotencyStore store;

    BlockingReactiveStore(ReactiveIdempotencyStore store) {
        this.store = store;
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        Claim claim = await(store.claim(key, fingerprint, ownerToken, lease));
        if (claim == null) {
            throw new IllegalStateException("The reactive store " + store + " answered nothing to a claim of key '"
                    + key + "'; an empty answer is never a claim");
        }
        return claim;
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        return Boolean.TRUE.equals(await(store.complete(key, ownerToken, payload, ttl)));
    }

    @Override
    public boolean release(String key, String ownerToken) {
        return Boolean.TRUE.equals(await(store.release(key, ownerToken)));
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        return Boolean.TRUE.equals(await(store.renew(key, ownerToken, lease)));
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        return Optional.ofNullable(await(store.find(key)));
    }

    @Override
    public boolean delete(String key) {
        return Boolean.TRUE.equals(await(store.delete(key)));
    }

    @Override
    public boolean claimIsARead() {
        return store.claimIsARead();
    }

    @Override
    public int maxKeyLength() {
        return store.maxKeyLength();
    }

    /** The store's own client bounds every step (its command timeout), so the wait has no timeout of its own. */
    private static <T> @Nullable T await(Mono<T> step) {
        return step.block();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
