package dev.idempotent;

import org.jspecify.annotations.Nullable;

/**
 * The store could not be reached or did not answer in time; the operation did not run.
 *
 * <p>A store says whether the failure is {@linkplain #isTransient() transient}: a broken or stale
 * connection, a timeout, a deadlock, a server that is restarting. The engine retries such a step (every
 * step is fenced by its owner token, so repeating one is safe) before it gives up.
 */
public class IdempotencyStoreUnavailableException extends IdempotencyException {

    private final boolean transientFailure;

    /** A failure that is not worth retrying at once (a missing table, a refused command, a bad answer). */
    public IdempotencyStoreUnavailableException(String message, @Nullable Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param transientFailure whether the same step may succeed if tried again on a fresh connection
     */
    public IdempotencyStoreUnavailableException(String message, @Nullable Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * Whether the same step may succeed if it is tried again on a fresh connection: a broken, stale or
     * refused connection, a timeout, a deadlock or serialization failure, a server that is starting.
     */
    public boolean isTransient() {
        return transientFailure;
    }
}
