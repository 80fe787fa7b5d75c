package dev.idempotent.store;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An {@link IdempotencyStore} that passes every step on to another one: the base of a wrapper that adds
 * something to some steps (a check, a measurement, a fault in a test) and leaves the others as they are,
 * including {@link #maxKeyLength()} and the transaction of {@link #runInTransaction}.
 */
public class DelegatingIdempotencyStore implements IdempotencyStore {

    private final IdempotencyStore delegate;

    public DelegatingIdempotencyStore(IdempotencyStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every step is passed on to. */
    public final IdempotencyStore getDelegate() {
        return delegate;
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        return delegate.claim(key, fingerprint, ownerToken, lease);
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        return delegate.complete(key, ownerToken, payload, ttl);
    }

    @Override
    public boolean release(String key, String ownerToken) {
        return delegate.release(key, ownerToken);
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        return delegate.renew(key, ownerToken, lease);
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        return delegate.find(key);
    }

    @Override
    public boolean delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public int maxKeyLength() {
        return delegate.maxKeyLength();
    }

    @Override
    public boolean blocksCallingThread() {
        return delegate.blocksCallingThread();
    }

    @Override
    public boolean claimIsARead() {
        return delegate.claimIsARead();
    }

    @Override
    public boolean completesInTransaction() {
        return delegate.completesInTransaction();
    }

    @Override
    public @Nullable Object runInTransaction(TransactionalWork work) throws Throwable {
        return delegate.runInTransaction(work);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
