package dev.idempotent.store;

import java.util.Objects;

/**
 * The answer of {@link IdempotencyStore#claim}: either the caller now owns the key, or the record that
 * is already there.
 *
 * @param outcome what the claim found
 * @param record the caller's new record when {@link Outcome#ACQUIRED}, otherwise the existing record
 */
public record Claim(Outcome outcome, IdempotencyRecord record) {

    public Claim {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(record, "record");
    }

    /** What a claim found. */
    public enum Outcome {
        /** The key was free (absent, or its lease or ttl had ended): the caller owns it now. */
        ACQUIRED,
        /** Another owner holds the key and its lease has not ended. */
        IN_FLIGHT,
        /** The operation already completed; the record holds its result. */
        COMPLETED
    }

    public static Claim acquired(IdempotencyRecord record) {
        return new Claim(Outcome.ACQUIRED, record);
    }

    /** The claim answer for a live record that the caller does not own. */
    public static Claim existing(IdempotencyRecord record) {
        return new Claim(record.isCompleted() ? Outcome.COMPLETED : Outcome.IN_FLIGHT, record);
    }

    public boolean isAcquired() {
        return outcome == Outcome.ACQUIRED;
    }
}
