package dev.idempotent.engine;

/**
 * Hears what the {@link IdempotencyEngine} decides and how long store operations take; the Micrometer
 * metrics implement it. Implementations must be fast and must not throw.
 */
public interface IdempotencyListener {

    /** Does nothing. */
    IdempotencyListener NONE = new IdempotencyListener() {};

    /** How a call ended. */
    enum CallOutcome {
        /** Claimed and ran successfully. */
        EXECUTED,
        /** Returned the stored result without running. */
        REPLAYED,
        /** Rejected because another call holds the key (REJECT, or WAIT timed out). */
        IN_FLIGHT,
        /** Rejected: the key was first used with another fingerprint. */
        KEY_REUSE,
        /** Claimed and ran, and the operation threw. */
        FAILED,
        /** The store failed while claiming or waiting, and the call was rejected (fail-closed). */
        STORE_ERROR,
        /** Returned without running because another call holds the key (SKIP). */
        SKIPPED,
        /**
         * Ran without protection: the store failed while claiming and {@code on-store-failure=fail-open} let
         * the call run anyway, or a message had no id for the deduplication of every listener to key it by.
         */
        UNPROTECTED;

        /** The metric tag value: {@code executed}, {@code in_flight}, ... */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A call in namespace {@code name} ended with {@code outcome}. */
    default void onCall(String name, CallOutcome outcome) {}

    /**
     * A store operation ({@code claim}, {@code complete}, {@code release}, {@code renew}) took
     * {@code nanos} and succeeded or threw.
     */
    default void onStoreOperation(String store, String operation, long nanos, boolean success) {}

    /** A store operation that failed transiently is tried again. */
    default void onStoreRetry(String store, String operation) {}

    /**
     * The outcome of a call in namespace {@code name} was given up after the store failed for the whole
     * completion retry timeout (or the queue of pending outcomes was full): the operation may run again
     * once its lease ends.
     */
    default void onCompletionAbandoned(String name) {}
}
