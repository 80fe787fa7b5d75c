package dev.idempotent;

import org.jspecify.annotations.Nullable;

/**
 * A completed key holds a result that cannot be replayed as the operation now declares it: it was stored
 * for another return type (the method changed since it ran), its JSON no longer fits the type (a renamed,
 * removed or retyped field), or it is an exception whose type is no longer among {@code storeExceptions}.
 * A replay is never a {@code null} or a half-filled object instead.
 *
 * <p>After an intentional change, start a new key space ({@code @Idempotent(version = "2")} or another
 * {@code name}), or delete the key; otherwise the record is replayed again once its ttl ends.
 */
public class IdempotencyReplayException extends IdempotencyException {

    private final @Nullable String key;

    private final @Nullable String storedType;

    private final String expectedType;

    /**
     * @param key the key (namespace included), or {@code null} while the codec reports it to the engine
     * @param storedType what the record holds (a canonical type, {@code void}, or an exception type), or
     *     {@code null} if the record does not say (format 1)
     * @param expectedType what the operation returns now
     */
    public IdempotencyReplayException(
            String message,
            @Nullable String key,
            @Nullable String storedType,
            String expectedType,
            @Nullable Throwable cause) {
        super(message, cause);
        this.key = key;
        this.storedType = storedType;
        this.expectedType = expectedType;
    }

    /** The key (namespace included) whose record cannot be replayed. */
    public @Nullable String getKey() {
        return key;
    }

    /**
     * What the record holds: the canonical generic type it was stored as ({@code java.util.List<com.acme.Receipt>},
     * {@code void}), or the stored exception type; {@code null} for records written before types were stored.
     */
    public @Nullable String getStoredType() {
        return storedType;
    }

    /** What the operation returns now, as a canonical generic type. */
    public String getExpectedType() {
        return expectedType;
    }
}
