package dev.idempotent;

/** The store could not be reached or did not answer in time; the operation did not run. */
public class IdempotencyStoreUnavailableException extends IdempotencyException {

    public IdempotencyStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
