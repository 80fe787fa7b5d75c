package dev.idempotent.web;

import dev.idempotent.InvalidIdempotencyKeyException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code Idempotency-Key} header. The IETF draft (draft-ietf-httpapi-idempotency-key-header)
 * makes it a Structured Field sf-string ({@code "8e03978e-..."}, quoted, RFC 8941 section 3.3.3);
 * Stripe's clients send the bare value ({@code 8e03978e-...}). Both mean the same key. The key must be 1
 * to {@value #MAX_LENGTH} visible ASCII characters (0x21 to 0x7E); a header sent more than once must
 * carry the same key every time.
 */
final class IdempotencyKeyHeader {

    /** The longest key accepted, in characters. */
    static final int MAX_LENGTH = 255;

    private IdempotencyKeyHeader() {}

    /**
     * The key in the header's {@code values} (one per occurrence of the header), or {@code null} when
     * the header is absent.
     *
     * @throws InvalidIdempotencyKeyException when the key is empty, too long, not visible ASCII, a
     *     malformed sf-string, or the header occurs with different keys
     */
    static @Nullable String parse(List<String> values, String headerName) {
        @Nullable String key = null;
        for (String value : values) {
            String parsed = parseOne(value, headerName);
            if (key != null && !key.equals(parsed)) {
                throw new InvalidIdempotencyKeyException("The " + headerName + " header was sent " + values.size()
                        + " times with different values; send it once, with one key");
            }
            key = parsed;
        }
        return key;
    }

    private static String parseOne(String raw, String headerName) {
        String value = trimWhitespace(raw == null ? "" : raw);
        String key = !value.isEmpty() && value.charAt(0) == '"' ? unquote(value, headerName) : value;
        if (key.isEmpty()) {
            throw new InvalidIdempotencyKeyException("The " + headerName + " header is empty; send a unique value"
                    + " per operation, such as a UUID: " + headerName + ": \"8e03978e-40d5-43e8-bc93-6894a57f9324\"");
        }
        if (key.length() > MAX_LENGTH) {
            throw new InvalidIdempotencyKeyException("The " + headerName + " header is " + key.length()
                    + " characters long; keys may have at most " + MAX_LENGTH + " characters (a UUID has 36)");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new InvalidIdempotencyKeyException("The " + headerName + " header contains a character"
                        + " outside visible ASCII at position " + (i + 1) + " (" + describe(c) + "); keys may"
                        + " only use the characters ! to ~ (0x21 to 0x7E), no spaces, control or non-ASCII"
                        + " characters");
            }
        }
        return key;
    }

    /** The content of an RFC 8941 sf-string: {@code "..."} with {@code \"} and {@code \\} escapes. */
    private static String unquote(String value, String headerName) {
        StringBuilder key = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                char next = i + 1 < value.length() ? value.charAt(i + 1) : 0;
                if (next != '"' && next != '\\') {
                    throw malformed(headerName, "a backslash may only escape \" or \\");
                }
                key.append(next);
                i++;
            } else if (c == '"') {
                if (i != value.length() - 1) {
                    throw malformed(headerName, "nothing may follow the closing quote");
                }
                return key.toString();
            } else {
                key.append(c);
            }
        }
        throw malformed(headerName, "the closing quote is missing");
    }

    private static InvalidIdempotencyKeyException malformed(String headerName, String why) {
        return new InvalidIdempotencyKeyException("The " + headerName + " header starts with a quote but is not a"
                + " valid quoted string (RFC 8941 sf-string): " + why + ". Send the key quoted (" + headerName
                + ": \"abc\") or bare (" + headerName + ": abc)");
    }

    /** Strips the optional whitespace (spaces and tabs) around an HTTP field value. */
    private static String trimWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    private static String describe(char c) {
        return c == ' ' ? "a space" : String.format("U+%04X", (int) c);
    }
}
