package dev.idempotent.demo;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;
import java.util.Optional;

/** The embedded store, with a switch that makes every claim fail as if the backend were down. */
final class FlakyIdempotencyStore implements IdempotencyStore {

    private final IdempotencyStore delegate = new CaffeineIdempotencyStore(10_000);

    private volatile boolean down;

    void setDown(boolean down) {
        this.down = down;
    }

    @Override
    public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
        if (down) {
            throw new IdempotencyStoreUnavailableException("test store is down", new IllegalStateException("down"));
        }
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
}
