package dev.idempotent;

import org.jspecify.annotations.Nullable;

/**
 * An {@link Idempotent} method or a property is misconfigured (an expression that does not parse, a
 * duration that cannot be read, a return type that cannot be stored). Thrown at startup.
 */
public class IdempotencyConfigurationException extends IdempotencyException {

    public IdempotencyConfigurationException(String message) {
        super(message);
    }

    public IdempotencyConfigurationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
