package dev.idempotent;

/** What happens when the store cannot be reached while claiming a key. */
public enum OnStoreFailure {

    /** Throw {@link IdempotencyStoreUnavailableException}; the method does not run. */
    FAIL_CLOSED,

    /** Run the method without protection and log a warning. */
    FAIL_OPEN
}
