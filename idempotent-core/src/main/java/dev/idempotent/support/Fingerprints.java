package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.ser.impl.UnknownSerializer;

/**
 * Hashes what an operation was asked to do: the SHA-256 of its arguments written as canonical JSON
 * (properties and map entries sorted), so equal arguments give equal fingerprints across JVMs. A message
 * argument (AMQP {@code Message}, Kafka {@code ConsumerRecord}, {@code org.springframework.messaging.Message})
 * is fingerprinted by its payload, see {@link MessageArguments}.
 */
public final class Fingerprints {

    /** How deep {@link #whyNotFingerprintable} looks into nested arrays, collections, maps and optionals. */
    private static final int MAX_DEPTH = 4;

    private final JsonMapper canonical;

    private final List<String> kafkaHeaders;

    public Fingerprints(JsonMapper mapper) {
        this(mapper, List.of());
    }

    /**
     * @param kafkaHeaders the headers of a Kafka {@code ConsumerRecord} fingerprinted with its key and value
     */
    public Fingerprints(JsonMapper mapper, List<String> kafkaHeaders) {
        this.kafkaHeaders = List.copyOf(kafkaHeaders);
        this.canonical = mapper.rebuild()
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    /**
     * Why an argument declared as {@code type} cannot be fingerprinted, or {@code null} if it can, or if that
     * can only be told at the call (an interface, an abstract class, {@code Object}: the argument's own class
     * decides). A class with fields but no property that Jackson writes (no getters, no public fields, no
     * {@code @JsonProperty}) would be written as {@code {}}, so two different calls would look the same; a
     * class Jackson refuses would fail every call. Arrays, collections, maps and optionals are looked into. A
     * message is fingerprinted by its payload ({@link MessageArguments}), a collection of messages is not.
     */
    public @Nullable String whyNotFingerprintable(Type type) {
        return whyNot(canonical.constructType(type), 0);
    }

    private @Nullable String whyNot(JavaType type, int depth) {
        Class<?> raw = type.getRawClass();
        if (depth > MAX_DEPTH || raw.isPrimitive() || MessageArguments.isMessageType(raw)) {
            return null;
        }
        JavaType content = type.isContainerType() ? type.getContentType() : type.getReferencedType();
        if (content != null) {
            if (MessageArguments.isMessage(content.getRawClass())) {
                return "it holds messages (" + content.getRawClass().getSimpleName() + "), which are fingerprinted"
                        + " by their payload only when they are an argument themselves";
            }
            String inner = whyNot(content, depth + 1);
            return inner == null
                    ? null
                    : "its elements (" + content.getRawClass().getSimpleName() + ") cannot be: " + inner;
        }
        if (type.isContainerType() || type.isInterface() || type.isAbstract() || type.isJavaLangObject()) {
            return null;
        }
        ValueSerializer<Object> serializer;
        try {
            serializer = canonical._serializationContext().findValueSerializer(type);
        } catch (JacksonException e) {
            return "Jackson cannot write it as JSON: " + e.getOriginalMessage();
        }
        if (serializer instanceof UnknownSerializer && hasFields(raw)) {
            return "it has fields but no property that Jackson writes (no getters, no public fields, no"
                    + " @JsonProperty), so every " + raw.getSimpleName() + " is written as {} and two different calls"
                    + " would look the same";
        }
        return null;
    }

    private static boolean hasFields(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param operation names the operation in the error message
     * @throws IdempotencyException naming the argument that cannot be written as JSON
     */
    public String of(@Nullable Object[] arguments, String operation) {
        arguments = MessageArguments.of(arguments, kafkaHeaders);
        try {
            return Keys.sha256Hex(canonical.writeValueAsBytes(arguments));
        } catch (JacksonException e) {
            for (int i = 0; i < arguments.length; i++) {
                try {
                    canonical.writeValueAsBytes(arguments[i]);
                } catch (JacksonException inner) {
                    throw new IdempotencyException(
                            "Argument " + i + " of " + operation + " (a "
                                    + arguments[i].getClass().getName()
                                    + ") cannot be written as JSON to fingerprint the"
                                    + " call: " + inner.getOriginalMessage()
                                    + "; give @Idempotent a fingerprint expression"
                                    + " naming what the call asks for",
                            e);
                }
            }
            throw new IdempotencyException(
                    "The arguments of " + operation + " cannot be written as JSON to" + " fingerprint the call: "
                            + e.getOriginalMessage(),
                    e);
        }
    }
}
