package dev.idempotent;

import org.jspecify.annotations.Nullable;

/** The key is missing, blank or otherwise unusable; the operation did not run. */
public class InvalidIdempotencyKeyException extends IdempotencyException {

    public InvalidIdempotencyKeyException(String message) {
        super(message);
    }

    public InvalidIdempotencyKeyException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
