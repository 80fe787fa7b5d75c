package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyReplayException;
import java.io.ByteArrayOutputStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The versioned envelope of every stored payload, which says what it holds:
 * {@code {"format":2,"type":"java.util.List<com.acme.Receipt>","value":...}} for a result,
 * {@code {"format":2,"type":"...","failure":{"type":"com.acme.Declined","message":"..."}}} for a recorded
 * exception. {@code type} is the canonical generic type the operation declared when it stored the record
 * (or a name such as {@code http-response}); a replay that expects another type is refused with an
 * {@link IdempotencyReplayException}, never misread.
 *
 * <p>The value is written and read with the caller's {@link ObjectWriter} and {@link ObjectReader}
 * straight from the stream, never through Jackson's tree model (which would normalize numbers such as
 * {@code BigDecimal} {@code 10.00}). Format 1 (no {@code type}) is still read, without the type check;
 * any other format is rejected with a message that says so.
 */
public final class StoredPayload {

    /** The format this version writes. */
    public static final int FORMAT = 2;

    /** The format written before stored types: still read, without the type check. */
    public static final int TYPELESS_FORMAT = 1;

    private final @Nullable String type;

    private final @Nullable Object value;

    private final @Nullable String failureType;

    private final @Nullable String failureMessage;

    private StoredPayload(
            @Nullable String type,
            @Nullable Object value,
            @Nullable String failureType,
            @Nullable String failureMessage) {
        this.type = type;
        this.value = value;
        this.failureType = failureType;
        this.failureMessage = failureMessage;
    }

    /** The payload of a result {@code value} of {@code type}, written by {@code writer}. */
    public static byte[] ofValue(JsonMapper mapper, String type, ObjectWriter writer, @Nullable Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = mapper.createGenerator(out)) {
            writeHeader(generator, type);
            generator.writeName("value");
            writer.writeValue(generator, value);
            generator.writeEndObject();
        }
        return out.toByteArray();
    }

    /** The payload of a result kept as a JSON tree (small documents of the library's own). */
    public static byte[] ofValue(JsonMapper mapper, String type, JsonNode value) {
        return ofValue(mapper, type, mapper.writerFor(JsonNode.class), value);
    }

    /** The payload of a recorded exception, stored by an operation that returns {@code type}. */
    public static byte[] ofFailure(JsonMapper mapper, String type, Throwable failure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = mapper.createGenerator(out)) {
            writeHeader(generator, type);
            generator.writeName("failure");
            generator.writeStartObject();
            generator.writeStringProperty("type", failure.getClass().getName());
            generator.writeStringProperty("message", failure.getMessage());
            generator.writeEndObject();
            generator.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeHeader(JsonGenerator generator, String type) {
        generator.writeStartObject();
        generator.writeNumberProperty("format", FORMAT);
        generator.writeStringProperty("type", type);
    }

    /**
     * Reads a payload stored for {@code expectedType}, its value with {@code valueReader} (or skipped, when
     * {@code null}).
     *
     * @throws IdempotencyReplayException if it was stored for another type, or its value does not fit
     *     {@code valueReader}'s type (unknown or retyped properties)
     * @throws IdempotencyException if it is not a payload of a known format
     */
    public static StoredPayload read(
            JsonMapper mapper, byte[] payload, String expectedType, @Nullable ObjectReader valueReader) {
        try (JsonParser parser = mapper.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw unreadable("it is not a JSON object", null);
            }
            int format = -1;
            String type = null;
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                parser.nextToken();
                switch (name) {
                    case "format" -> {
                        format = parser.getValueAsInt(-1);
                        checkFormat(format);
                    }
                    case "type" -> type = parser.getValueAsString();
                    case "value", "failure" -> {
                        checkFormat(format);
                        checkType(format, type, expectedType);
                        return name.equals("value")
                                ? new StoredPayload(
                                        type, readValue(parser, valueReader, type, expectedType), null, null)
                                : failure(type, readTree(mapper, parser));
                    }
                    default -> parser.skipChildren();
                }
            }
            checkFormat(format);
            throw unreadable("it holds neither a value nor a failure", null);
        } catch (JacksonException e) {
            throw unreadable(e.getOriginalMessage(), e);
        }
    }

    /** Reads a payload whose value is a JSON tree (small documents of the library's own), of any type. */
    public static StoredPayload read(JsonMapper mapper, byte[] payload) {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JacksonException e) {
            throw unreadable(e.getOriginalMessage(), e);
        }
        int format = root.path("format").asInt(-1);
        checkFormat(format);
        String type = root.path("type").asString(null);
        JsonNode failure = root.get("failure");
        if (failure != null) {
            return failure(type, failure);
        }
        return new StoredPayload(type, root.path("value"), null, null);
    }

    private static JsonNode readTree(JsonMapper mapper, JsonParser parser) {
        return mapper.readerFor(JsonNode.class)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(parser);
    }

    private static StoredPayload failure(@Nullable String type, JsonNode failure) {
        return new StoredPayload(
                type,
                null,
                failure.path("type").asString(),
                failure.path("message").asString(null));
    }

    private static @Nullable Object readValue(
            JsonParser parser, @Nullable ObjectReader valueReader, @Nullable String storedType, String expectedType) {
        if (valueReader == null) {
            parser.skipChildren();
            return null;
        }
        try {
            // the value is followed by the rest of the envelope: not trailing tokens
            return valueReader
                    .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(parser);
        } catch (JacksonException e) {
            String path = path(e);
            throw new IdempotencyReplayException(
                    "holds a result whose stored JSON no longer fits " + expectedType
                            + (path.isEmpty() ? "" : " at '" + path + "'") + " (" + e.getOriginalMessage()
                            + "): a field was"
                            + " renamed, removed or retyped since it was stored, so it is not replayed. " + ADVICE,
                    null,
                    storedType,
                    expectedType,
                    e);
        }
    }

    /** Where in the value reading failed: {@code lines[2].amount}. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static void checkFormat(int format) {
        if (format != FORMAT && format != TYPELESS_FORMAT) {
            throw new IdempotencyException("The stored result has payload format " + format + " but this version of"
                    + " the idempotency library reads formats " + TYPELESS_FORMAT + " and " + FORMAT + "; it was"
                    + " written by another version. Upgrade, or delete the key to run the operation again");
        }
    }

    private static void checkType(int format, @Nullable String type, String expectedType) {
        if (format == FORMAT && !expectedType.equals(type)) {
            throw new IdempotencyReplayException(
                    "holds a result stored as " + type + ", but the operation now returns " + expectedType
                            + ", so it is not replayed. " + ADVICE,
                    null,
                    type,
                    expectedType,
                    null);
        }
    }

    /** What to do about a record that cannot be replayed, for every message that says so. */
    static final String ADVICE = "If the change is intentional, give the operation a new key space"
            + " (@Idempotent(version = \"2\"), IdempotencyOptions.version(\"2\"), or another name); otherwise delete"
            + " the key to run it again";

    private static IdempotencyException unreadable(String why, @Nullable Throwable cause) {
        return new IdempotencyException(
                "The stored result is not readable (" + why + "); delete the key to run the operation again", cause);
    }

    /** The type the record says it holds; {@code null} in format 1. */
    public @Nullable String type() {
        return type;
    }

    public boolean isFailure() {
        return failureType != null;
    }

    /**
     * The stored value: as read by the value reader, or a {@link JsonNode} from
     * {@link #read(JsonMapper, byte[])}.
     */
    public @Nullable Object value() {
        return value;
    }

    /** The stored value of {@link #read(JsonMapper, byte[])}. */
    public @Nullable JsonNode tree() {
        return (JsonNode) value;
    }

    public @Nullable String failureType() {
        return failureType;
    }

    public @Nullable String failureMessage() {
        return failureMessage;
    }
}
