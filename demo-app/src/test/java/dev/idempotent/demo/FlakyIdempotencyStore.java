package dev.idempotent.demo;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.DelegatingIdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;

/** The embedded store, with a switch that makes every claim fail as if the backend were down. */
final class FlakyIdempotencyStore extends DelegatingIdempotencyStore {

    private volatile boolean down;

    FlakyIdempotencyStore() {
        super(new CaffeineIdempotencyStore(10_000));
    }

    void setDown(boolean down) {
        this.down = down;
    }

    @Override
    public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
        if (down) {
            throw new IdempotencyStoreUnavailableException("test store is down", new IllegalStateException("down"));
        }
        return super.claim(key, fingerprint, ownerToken, lease);
    }
}
