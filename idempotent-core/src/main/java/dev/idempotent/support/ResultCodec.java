package dev.idempotent.support;

import java.util.concurrent.CompletionStage;

/**
 * Turns an operation's outcome into the payload a store keeps, and a payload back into the outcome a
 * replay returns. Payloads carry a format version ({@link StoredPayload}).
 */
public interface ResultCodec {

    /**
     * When {@code result} completes later (a {@link CompletionStage}), returns it so the engine stores
     * its outcome on completion; otherwise {@code null}.
     */
    default CompletionStage<?> pending(Object result) {
        return null;
    }

    /** The payload for a successful result (for a pending result: the value it completed with). */
    byte[] encodeValue(Object value);

    /** The payload for a failure that must be replayed, or {@code null} to release the key instead. */
    byte[] encodeFailure(Throwable failure);

    /**
     * The outcome stored in {@code payload}: returns a fresh copy of the value, or throws the stored
     * failure.
     */
    Object decode(byte[] payload) throws Throwable;

    /** What a skipped call returns ({@code OnInFlight.SKIP}). */
    default Object skipped() {
        return null;
    }
}
