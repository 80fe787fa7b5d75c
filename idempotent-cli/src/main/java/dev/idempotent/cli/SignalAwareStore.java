package dev.idempotent.cli;

import dev.idempotent.IdempotencyException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.DelegatingIdempotencyStore;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The store as {@code idempotent run} uses it: once a signal has arrived, no new claim is made, so a run
 * waiting for another one (which claims again every few hundred milliseconds) stops at its next attempt.
 * Interrupting the thread instead could break a store call halfway (an H2 file, a Redis reply) and leave
 * a claim behind. Every other step goes through unchanged, so a claim already made is still released.
 * The first claim that finds another run in progress is reported (to say that this one waits for it).
 */
final class SignalAwareStore extends DelegatingIdempotencyStore {

    private final IntSupplier signal;

    private final Consumer<IdempotencyRecord> onHeldElsewhere;

    private boolean reported;

    SignalAwareStore(IdempotencyStore store, IntSupplier signal, Consumer<IdempotencyRecord> onHeldElsewhere) {
        super(store);
        this.signal = signal;
        this.onHeldElsewhere = onHeldElsewhere;
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        int received = signal.getAsInt();
        if (received != 0) {
            throw new StoppedBySignalException(received);
        }
        Claim claim = super.claim(key, fingerprint, ownerToken, lease);
        if (!claim.isAcquired() && claim.record().isInProgress() && !reported) {
            reported = true;
            onHeldElsewhere.accept(claim.record());
        }
        return claim;
    }

    /** A signal arrived before a claim: nothing was claimed. */
    static final class StoppedBySignalException extends IdempotencyException {

        StoppedBySignalException(int signal) {
            super("stopped by signal " + signal + " before claiming");
        }
    }
}
