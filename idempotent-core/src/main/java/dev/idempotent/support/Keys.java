package dev.idempotent.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Builds store keys and hashes. */
public final class Keys {

    private static final String HASHED_MARKER = "#sha256:";

    private Keys() {
    }

    /**
     * The store key for {@code value} in {@code namespace}: {@code namespace:value}. When that is longer
     * than {@code maxLength}, the value (and if need be the namespace too) is replaced by its SHA-256, so
     * two different keys never share a record; keys are never truncated.
     */
    public static String qualify(String namespace, String value, int maxLength) {
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
            throw new IllegalStateException("store accepts keys of at most " + maxLength + " characters, too few for a hash");
        }
        return hashed;
    }

    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
