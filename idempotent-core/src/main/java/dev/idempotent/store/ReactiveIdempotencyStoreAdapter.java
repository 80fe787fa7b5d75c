package dev.idempotent.store;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An {@link IdempotencyStore} seen through {@link ReactiveIdempotencyStore}: each step is run when its
 * {@link Mono} is subscribed, on Reactor's bounded elastic scheduler unless the store answers from memory.
 */
public final class ReactiveIdempotencyStoreAdapter implements ReactiveIdempotencyStore {

    private final IdempotencyStore store;

    private final boolean offload;

    ReactiveIdempotencyStoreAdapter(IdempotencyStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.offload = store.blocksCallingThread();
    }

    /** The store whose steps this adapter runs. */
    public IdempotencyStore getDelegate() {
        return store;
    }

    @Override
    public Mono<Claim> claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        return call(() -> store.claim(key, fingerprint, ownerToken, lease));
    }

    @Override
    public Mono<Boolean> complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        return call(() -> store.complete(key, ownerToken, payload, ttl));
    }

    @Override
    public Mono<Boolean> release(String key, String ownerToken) {
        return call(() -> store.release(key, ownerToken));
    }

    @Override
    public Mono<Boolean> renew(String key, String ownerToken, Duration lease) {
        return call(() -> store.renew(key, ownerToken, lease));
    }

    @Override
    public Mono<IdempotencyRecord> find(String key) {
        return call(() -> store.find(key).orElse(null));
    }

    @Override
    public Mono<Boolean> delete(String key) {
        return call(() -> store.delete(key));
    }

    @Override
    public boolean claimIsARead() {
        return store.claimIsARead();
    }

    @Override
    public int maxKeyLength() {
        return store.maxKeyLength();
    }

    /** The store itself. */
    @Override
    public IdempotencyStore blocking() {
        return store;
    }

    private <T> Mono<T> call(Callable<T> step) {
        Mono<T> mono = Mono.fromCallable(step);
        return offload ? mono.subscribeOn(Schedulers.boundedElastic()) : mono;
    }

    @Override
    public String toString() {
        return "ReactiveIdempotencyStore.of(" + store + (offload ? ") on boundedElastic" : ")");
    }
}
