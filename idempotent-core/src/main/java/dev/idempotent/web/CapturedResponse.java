package dev.idempotent.web;

import java.util.List;
import java.util.Objects;

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
        return "CapturedResponse[status=" + status + ", headers=" + headers.size() + ", body=" + body.length + " bytes]";
    }
}
