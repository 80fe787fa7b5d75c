package dev.idempotent.web;

import dev.idempotent.IdempotentResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP response as the application produced it: status, the headers it set (in order, each value
 * separately) and the body bytes. Stored by {@link HttpResponseCodec} and replayed byte for byte.
 */
final class CapturedResponse {

    /** One header field line. */
    record Header(String name, String value) {

        Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final int status;

    private final List<Header> headers;

    private final byte[] body;

    CapturedResponse(int status, List<Header> headers, byte[] body) {
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body.clone();
    }

    /**
     * What the application produced, as stored: Content-Type first, then every other header it set (in order,
     * each value separately) unless it had the same values before the application ran ({@code before}, by
     * lower-case name) or is never stored ({@link IdempotencyKeyPolicy#isStorableHeader}).
     *
     * @param headers the response's headers now, in order (names in any case; a name may come once per case)
     */
    /** The response a replay by the filters' {@link HttpResponseCodec} carries. */
    static CapturedResponse replayed(IdempotentResult<?> result) {
        Object value = result.value();
        if (!(value instanceof CapturedResponse stored)) {
            throw new IllegalStateException("A replayed Idempotency-Key response decoded to "
                    + (value == null ? "null" : value.getClass().getName())
                    + " instead of a captured HTTP response");
        }
        return stored;
    }

    static CapturedResponse of(
            int status,
            @Nullable String contentType,
            Map<String, ? extends Collection<String>> headers,
            Map<String, List<String>> before,
            byte[] body) {
        List<Header> stored = new ArrayList<>();
        if (contentType != null) {
            stored.add(new Header("Content-Type", contentType));
        }
        Set<String> seen = new LinkedHashSet<>();
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!seen.add(lower)
                    || lower.equals("content-type")
                    || !IdempotencyKeyPolicy.isStorableHeader(name)
                    || List.copyOf(values).equals(before.get(lower))) {
                return;
            }
            for (String value : values) {
                stored.add(new Header(name, value));
            }
        });
        return new CapturedResponse(status, stored, body);
    }

    int status() {
        return status;
    }

    List<Header> headers() {
        return headers;
    }

    /** The body; the caller must not change it. */
    byte[] body() {
        return body;
    }

    @Override
    public String toString() {
        return "CapturedResponse[status=" + status + ", headers=" + headers.size() + ", body=" + body.length
                + " bytes]";
    }
}
