package dev.idempotent.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 of a request body as the fingerprint of both {@code Idempotency-Key} filters has it: a raw body
 * hashed whole, a form by its decoded parameters (so that the same form hashes alike however it is encoded).
 */
final class BodyHashes {

    private BodyHashes() {}

    /** The SHA-256 (hex) of a raw body. */
    static String of(byte[] body) {
        return hex(digest().digest(body));
    }

    /**
     * The SHA-256 of form parameters (query and body, as a servlet container decodes them): by name in order,
     * each with its values in order.
     */
    static String ofParameters(Map<String, String[]> parameters) {
        MessageDigest digest = digest();
        for (Map.Entry<String, String[]> entry : new TreeMap<>(parameters).entrySet()) {
            update(digest, entry.getKey());
            update(digest, String.valueOf(entry.getValue().length));
            for (String value : entry.getValue()) {
                update(digest, value);
            }
        }
        return hex(digest.digest());
    }

    /**
     * The SHA-256 of the parts of a multipart body, part by part: its name, file name, content type and size,
     * then its content (which may be added in chunks).
     */
    static final class Parts {

        private final MessageDigest digest = digest();

        void part(String name, @Nullable String filename, @Nullable String contentType, long size) {
            update(digest, name);
            update(digest, String.valueOf(filename));
            update(digest, String.valueOf(contentType));
            update(digest, String.valueOf(size));
        }

        void content(byte[] chunk, int offset, int length) {
            digest.update(chunk, offset, length);
        }

        String hex() {
            return BodyHashes.hex(digest.digest());
        }
    }

    /** Adds {@code text} with its length, so that no two different sequences hash alike. */
    static void update(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
