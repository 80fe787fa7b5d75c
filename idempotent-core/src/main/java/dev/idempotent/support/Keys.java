package dev.idempotent.support;

import dev.idempotent.InvalidIdempotencyKeyException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** Builds store keys and hashes. */
public final class Keys {

    private static final HexFormat HEX = HexFormat.of();

    private static final MessageDigest SHA_256 = newSha256();

    private static final String HASHED_MARKER = "#sha256:";

    private Keys() {}

    /**
     * The namespace of the keys of {@code name} in key space {@code version}: {@code name@version}, or
     * {@code name} when there is no version (empty or {@code null}).
     */
    public static String namespace(String name, @Nullable String version) {
        return version == null || version.isEmpty() ? name : name + "@" + version;
    }

    /**
     * The store key for {@code value} in {@code namespace}: {@code namespace:value}. When that is longer
     * than {@code maxLength}, the value (and if need be the namespace too) is replaced by its SHA-256, so
     * two different keys never share a record; keys are never truncated.
     */
    public static String qualify(String namespace, String value, int maxLength) {
        checkStorable(value);
        String key = namespace + ":" + value;
        if (key.length() <= maxLength) {
            return key;
        }
        String hashedValue = namespace + ":" + HASHED_MARKER + sha256Hex(value);
        if (hashedValue.length() <= maxLength) {
            return hashedValue;
        }
        String hashed = HASHED_MARKER + sha256Hex(key);
        if (hashed.length() > maxLength) {
            throw new IllegalStateException(
                    "store accepts keys of at most " + maxLength + " characters, too few for a hash");
        }
        return hashed;
    }

    /**
     * Rejects a key that no store can keep exactly: a NUL character (PostgreSQL refuses it) or a lone
     * surrogate (UTF-8 cannot encode it, so two keys could become one).
     *
     * @throws InvalidIdempotencyKeyException naming the position of the offending character
     */
    public static void checkStorable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw new InvalidIdempotencyKeyException(
                        "The key contains a NUL character at position " + i + "; the operation did not run");
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidIdempotencyKeyException("The key contains an unpaired surrogate at position " + i
                        + " (not valid text); the operation did not run");
            }
        }
    }

    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        return HEX.formatHex(sha256().digest(bytes));
    }

    /** A fresh SHA-256 digest: a copy of a prototype, cheaper than looking the algorithm up on every call. */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
