package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.support.ResultCodec;
import dev.idempotent.support.StoredPayload;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stores a {@link CapturedResponse} inside the versioned {@link StoredPayload} envelope:
 * {@code {"format":2,"type":"http-response","value":{"kind":"http-response","status":201,
 * "headers":[["Location","/orders/1"]],"body":"<base64>"}}}. A failure is never stored: every exception releases the key.
 */
final class HttpResponseCodec implements ResultCodec {

    static final String KIND = "http-response";

    private final JsonMapper mapper;

    /** Made once: finding a reader's deserializer the first time takes a lock, never on an event loop. */
    private final ObjectReader reader;

    HttpResponseCodec(JsonMapper mapper) {
        this.mapper = mapper;
        this.reader = mapper.readerFor(JsonNode.class);
    }

    @Override
    public byte[] encodeValue(@Nullable Object value) {
        if (!(value instanceof CapturedResponse response)) {
            throw new IdempotencyException(
                    "Only captured HTTP responses can be stored by the Idempotency-Key" + " filter, not "
                            + (value == null ? "null" : value.getClass().getName()));
        }
        ObjectNode node = mapper.createObjectNode();
        node.put("kind", KIND);
        node.put("status", response.status());
        ArrayNode headers = node.putArray("headers");
        for (CapturedResponse.Header header : response.headers()) {
            headers.addArray().add(header.name()).add(header.value());
        }
        node.put("body", Base64.getEncoder().encodeToString(response.body()));
        return StoredPayload.ofValue(mapper, KIND, node);
    }

    /** Nothing thrown while handling a request is stored: the key is released so a retry runs again. */
    /** Never inside the store's transaction: a response that is sent but not stored must keep its writes. */
    @Override
    public boolean mayCompleteInTransaction() {
        return false;
    }

    @Override
    public byte @Nullable [] encodeFailure(Throwable failure) {
        return null;
    }

    @Override
    public Object decode(byte[] payload) {
        StoredPayload stored = StoredPayload.read(mapper, payload, KIND, reader);
        JsonNode value = (JsonNode) stored.value();
        if (stored.isFailure()
                || value == null
                || !KIND.equals(value.path("kind").asString(null))) {
            throw new IdempotencyException("The record under this key was not written by the Idempotency-Key"
                    + " filter (it is not a stored HTTP response), so it cannot be replayed; delete the key");
        }
        List<CapturedResponse.Header> headers = new ArrayList<>();
        for (JsonNode header : value.path("headers")) {
            headers.add(new CapturedResponse.Header(
                    header.path(0).asString(), header.path(1).asString()));
        }
        byte[] body = Base64.getDecoder().decode(value.path("body").asString(""));
        return new CapturedResponse(value.path("status").asInt(), headers, body);
    }
}
