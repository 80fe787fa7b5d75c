package dev.idempotent;

/**
 * The key was first used with other arguments (another request fingerprint). The stored result belongs
 * to that other request and is never returned for this one.
 */
public class IdempotencyKeyReuseException extends IdempotencyException {

    private final String key;

    public IdempotencyKeyReuseException(String message, String key) {
        super(message);
        this.key = key;
    }

    /** The key (namespace included) that was reused. */
    public String getKey() {
        return key;
    }
}
