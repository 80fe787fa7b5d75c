package dev.idempotent;

import org.jspecify.annotations.Nullable;

/** Root of every exception thrown by the idempotency library. */
public class IdempotencyException extends RuntimeException {

    public IdempotencyException(String message) {
        super(message);
    }

    public IdempotencyException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
