package dev.idempotent;

/** The key is missing, blank or otherwise unusable; the operation did not run. */
public class InvalidIdempotencyKeyException extends IdempotencyException {

    public InvalidIdempotencyKeyException(String message) {
        super(message);
    }

    public InvalidIdempotencyKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
