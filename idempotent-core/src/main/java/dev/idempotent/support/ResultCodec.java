package dev.idempotent.support;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Turns an operation's outcome into the payload a store keeps, and a payload back into the outcome a
 * replay returns. Payloads carry a format version ({@link StoredPayload}).
 */
public interface ResultCodec {

    /**
     * When {@code result} completes later (a {@link CompletionStage}), returns it so the engine stores
     * its outcome on completion; otherwise {@code null}.
     */
    default @Nullable CompletionStage<?> pending(@Nullable Object result) {
        return null;
    }

    /** The payload for a successful result (for a pending result: the value it completed with). */
    byte[] encodeValue(@Nullable Object value);

    /** The payload for a failure that must be replayed, or {@code null} to release the key instead. */
    byte @Nullable [] encodeFailure(Throwable failure);

    /**
     * The outcome stored in {@code payload}: returns a fresh copy of the value, or throws the stored
     * failure.
     */
    @Nullable
    Object decode(byte[] payload) throws Throwable;

    /**
     * Whether the operation may run inside the store's transaction when the store completes in
     * transaction (JDBC complete-in-transaction). No for results that are not known when the operation
     * returns (futures) or that may be delivered but not stored (HTTP responses): rolling back their writes
     * would undo work the caller has seen succeed.
     */
    default boolean mayCompleteInTransaction() {
        return true;
    }

    /** What a skipped call returns ({@code OnInFlight.SKIP}). */
    default @Nullable Object skipped() {
        return null;
    }
}
