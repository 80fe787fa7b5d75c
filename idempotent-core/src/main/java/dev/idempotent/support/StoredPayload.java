package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The versioned envelope of every stored payload: {@code {"format":1,"value":...}} for a result,
 * {@code {"format":1,"failure":{"type":"...","message":"..."}}} for a recorded exception. A payload of
 * another format is rejected with a message that says so, never misread.
 */
public final class StoredPayload {

    /** The format this version writes and reads. */
    public static final int FORMAT = 1;

    private final JsonNode value;

    private final String failureType;

    private final String failureMessage;

    private StoredPayload(JsonNode value, String failureType, String failureMessage) {
        this.value = value;
        this.failureType = failureType;
        this.failureMessage = failureMessage;
    }

    public static byte[] ofValue(JsonMapper mapper, JsonNode value) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.set("value", value);
        return mapper.writeValueAsBytes(root);
    }

    public static byte[] ofFailure(JsonMapper mapper, Throwable failure) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode node = root.putObject("failure");
        node.put("type", failure.getClass().getName());
        node.put("message", failure.getMessage());
        return mapper.writeValueAsBytes(root);
    }

    public static StoredPayload read(JsonMapper mapper, byte[] payload) {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JacksonException e) {
            throw new IdempotencyException("The stored result is not readable (" + e.getOriginalMessage()
                    + "); delete the key to run the operation again", e);
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IdempotencyException("The stored result has payload format " + format + " but this version of"
                    + " the idempotency library reads format " + FORMAT + "; it was written by another version."
                    + " Upgrade, or delete the key to run the operation again");
        }
        JsonNode failure = root.get("failure");
        if (failure != null) {
            return new StoredPayload(null, failure.path("type").asString(), failure.path("message").asString(null));
        }
        return new StoredPayload(root.path("value"), null, null);
    }

    public boolean isFailure() {
        return failureType != null;
    }

    public JsonNode value() {
        return value;
    }

    public String failureType() {
        return failureType;
    }

    public String failureMessage() {
        return failureMessage;
    }
}
