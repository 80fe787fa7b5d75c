package dev.idempotent;

import org.jspecify.annotations.Nullable;

/**
 * What {@link IdempotencyTemplate#execute} returned, and how.
 *
 * @param value the operation's result: this run's, or the stored one on a replay ({@code null} when
 *     skipped)
 * @param outcome whether the operation ran, was replayed or skipped
 * @param <T> the result type
 */
public record IdempotentResult<T>(@Nullable T value, Outcome outcome) {

    /** How a call was answered. */
    public enum Outcome {
        /** This call ran the operation. */
        EXECUTED,
        /** The operation had completed before; its stored result was returned without running it. */
        REPLAYED,
        /** Another call was running the operation and {@link OnInFlight#SKIP} was asked for. */
        SKIPPED,
        /** The store was unreachable and the policy is fail-open: the operation ran without protection. */
        UNPROTECTED
    }

    /** Whether the operation ran in this call (with or without protection). */
    public boolean wasExecuted() {
        return outcome == Outcome.EXECUTED || outcome == Outcome.UNPROTECTED;
    }

    /** Whether this call returned a stored result ("already done"). */
    public boolean wasReplayed() {
        return outcome == Outcome.REPLAYED;
    }

    public boolean wasSkipped() {
        return outcome == Outcome.SKIPPED;
    }
}
