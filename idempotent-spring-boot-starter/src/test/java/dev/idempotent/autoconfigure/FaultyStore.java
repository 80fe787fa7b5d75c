package dev.idempotent.autoconfigure;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.DelegatingIdempotencyStore;
import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;

/**
 * A real store with switches that make its calls fail, to watch what the engine does when the store
 * breaks at each step. Not a mock: when no switch is on, every call reaches the real store.
 */
class FaultyStore extends DelegatingIdempotencyStore {

    volatile boolean failClaims;

    volatile boolean failCompletes;

    volatile boolean failReleases;

    /** Whether the failures are transient (a dropped connection), which the engine retries. */
    volatile boolean transientFailures;

    /** The key of the last completion asked for, whether it failed or not. */
    volatile String lastCompletedKey;

    /** How many more claims fail, whatever {@link #failClaims} says. */
    final java.util.concurrent.atomic.AtomicInteger claimsToFail = new java.util.concurrent.atomic.AtomicInteger();

    FaultyStore(IdempotencyStore delegate) {
        super(delegate);
    }

    void heal() {
        failClaims = false;
        failCompletes = false;
        failReleases = false;
    }

    private IdempotencyStoreUnavailableException down(String step) {
        return new IdempotencyStoreUnavailableException("store down during " + step, null, transientFailures);
    }

    @Override
    public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
        if (failClaims || claimsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw down("claim");
        }
        return super.claim(key, fingerprint, ownerToken, lease);
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        lastCompletedKey = key;
        if (failCompletes) {
            throw down("complete");
        }
        return super.complete(key, ownerToken, payload, ttl);
    }

    @Override
    public boolean release(String key, String ownerToken) {
        if (failReleases) {
            throw down("release");
        }
        return super.release(key, ownerToken);
    }
}
