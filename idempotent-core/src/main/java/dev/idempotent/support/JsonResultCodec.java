package dev.idempotent.support;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;
import org.springframework.util.ClassUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stores a method's result as JSON with Jackson 3, read back with the method's generic return type
 * ({@code List<Order>}, {@code Optional<Receipt>}, records, POJOs, primitives). Handles {@code void},
 * {@code CompletableFuture<T>}/{@code CompletionStage<T>} (stored when they complete) and Spring's
 * {@code ResponseEntity<T>} (status, headers, body). Never Java serialization, never polymorphic default
 * typing: a type that cannot be read back faithfully is rejected when the codec is built.
 */
public final class JsonResultCodec implements ResultCodec {

    private static final boolean SPRING_WEB_PRESENT =
            ClassUtils.isPresent("org.springframework.http.ResponseEntity", JsonResultCodec.class.getClassLoader());

    private static final List<Class<?>> UNSTORABLE = List.of(
            InputStream.class, Reader.class, BaseStream.class, Iterator.class, Future.class, Thread.class);

    private final JsonMapper mapper;

    private final Shape shape;

    private final JavaType valueType;

    private final Class<? extends Throwable>[] storeExceptions;

    private final boolean async;

    private JsonResultCodec(JsonMapper mapper, Shape shape, JavaType valueType,
            Class<? extends Throwable>[] storeExceptions, boolean async) {
        this.mapper = mapper;
        this.shape = shape;
        this.valueType = valueType;
        this.storeExceptions = storeExceptions;
        this.async = async;
    }

    /**
     * @param returnType the generic return type of the operation
     * @param storeExceptions exception types recorded and rethrown on replay
     * @param owner names the operation in error messages, e.g. {@code OrderService.place(Order)}
     * @throws IdempotencyConfigurationException if the type cannot be stored and read back
     */
    public static JsonResultCodec forType(JsonMapper mapper, Type returnType,
            Class<? extends Throwable>[] storeExceptions, String owner) {
        for (Class<? extends Throwable> type : storeExceptions) {
            if (findMessageConstructor(type) == null && findNoArgConstructor(type) == null) {
                throw new IdempotencyConfigurationException("storeExceptions of " + owner + " names " + type.getName()
                        + ", which has no public constructor taking a String or nothing, so it cannot be rethrown"
                        + " on replay");
            }
        }
        JavaType type = mapper.getTypeFactory().constructType(returnType);
        boolean async = false;
        if (CompletionStage.class.isAssignableFrom(type.getRawClass())) {
            if (!type.getRawClass().isAssignableFrom(CompletableFuture.class)) {
                throw new IdempotencyConfigurationException(owner + " returns " + type
                        + "; asynchronous results are supported as CompletableFuture<T> or CompletionStage<T>");
            }
            async = true;
            type = type.containedTypeOrUnknown(0);
        }
        Shape shape;
        if (type.getRawClass() == void.class || type.getRawClass() == Void.class) {
            shape = Shape.NONE;
        } else if (SPRING_WEB_PRESENT && ResponseEntities.isResponseEntity(type.getRawClass())) {
            shape = Shape.RESPONSE_ENTITY;
            type = type.containedTypeOrUnknown(0);
            if (type.getRawClass() != Void.class) {
                checkStorable(type, owner);
            }
        } else {
            shape = Shape.JSON;
            checkStorable(type, owner);
        }
        return new JsonResultCodec(mapper, shape, type, storeExceptions.clone(), async);
    }

    @Override
    public CompletionStage<?> pending(Object result) {
        return async ? (CompletionStage<?>) result : null;
    }

    @Override
    public byte[] encodeValue(Object value) {
        JsonNode node = switch (shape) {
            case NONE -> mapper.nullNode();
            case RESPONSE_ENTITY -> ResponseEntities.toJson(mapper, value);
            case JSON -> mapper.valueToTree(value);
        };
        return StoredPayload.ofValue(mapper, node);
    }

    @Override
    public byte[] encodeFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        for (Class<? extends Throwable> type : storeExceptions) {
            if (type.isInstance(cause)) {
                return StoredPayload.ofFailure(mapper, cause);
            }
        }
        return null;
    }

    @Override
    public Object decode(byte[] payload) throws Throwable {
        StoredPayload stored = StoredPayload.read(mapper, payload);
        if (stored.isFailure()) {
            Throwable failure = recreate(stored.failureType(), stored.failureMessage());
            if (async) {
                return CompletableFuture.failedFuture(failure);
            }
            throw failure;
        }
        Object value = readValue(stored.value());
        return async ? CompletableFuture.completedFuture(value) : value;
    }

    @Override
    public boolean mayCompleteInTransaction() {
        return !async;
    }

    @Override
    public Object skipped() {
        return async ? CompletableFuture.completedFuture(null) : null;
    }

    private Object readValue(JsonNode node) {
        try {
            return switch (shape) {
                case NONE -> null;
                case RESPONSE_ENTITY -> ResponseEntities.fromJson(mapper, node, valueType);
                case JSON -> mapper.readerFor(valueType).readValue(node);
            };
        } catch (JacksonException e) {
            throw new IdempotencyException("The stored result cannot be read as " + valueType + ": "
                    + e.getOriginalMessage() + "; did the return type change? Delete the key to run again", e);
        }
    }

    private Throwable recreate(String typeName, String message) {
        for (Class<? extends Throwable> type : storeExceptions) {
            if (type.getName().equals(typeName) || isSubtypeNamed(type, typeName)) {
                Class<? extends Throwable> actual = loadSubtype(type, typeName);
                try {
                    Constructor<? extends Throwable> withMessage = findMessageConstructor(actual);
                    if (withMessage != null) {
                        return withMessage.newInstance(message);
                    }
                    Constructor<? extends Throwable> noArg = findNoArgConstructor(actual);
                    if (noArg != null) {
                        return noArg.newInstance();
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IdempotencyException("The stored exception " + typeName + " cannot be recreated", e);
                }
            }
        }
        throw new IdempotencyException("The stored result is a " + typeName + " (\"" + message + "\"), which is no"
                + " longer among storeExceptions, so it cannot be replayed; delete the key to run again");
    }

    private boolean isSubtypeNamed(Class<? extends Throwable> type, String typeName) {
        return loadSubtype(type, typeName) != null;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Throwable> loadSubtype(Class<? extends Throwable> base, String typeName) {
        try {
            Class<?> loaded = ClassUtils.forName(typeName, base.getClassLoader());
            return base.isAssignableFrom(loaded) ? (Class<? extends Throwable>) loaded : null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> Constructor<T> findMessageConstructor(Class<T> type) {
        try {
            return Modifier.isAbstract(type.getModifiers()) ? null : type.getConstructor(String.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static <T> Constructor<T> findNoArgConstructor(Class<T> type) {
        try {
            return Modifier.isAbstract(type.getModifiers()) ? null : type.getConstructor();
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Rejects types whose JSON cannot be read back into an equal value without default typing. */
    private static void checkStorable(JavaType type, String owner) {
        Class<?> raw = type.getRawClass();
        for (Class<?> unstorable : UNSTORABLE) {
            if (unstorable.isAssignableFrom(raw)) {
                throw unstorable(owner, type, "a " + unstorable.getSimpleName() + " is consumed once and has no stored form");
            }
        }
        if (raw.getName().startsWith("reactor.core.publisher.") || raw.getName().startsWith("org.reactivestreams.")) {
            throw unstorable(owner, type, "reactive types are not supported; return CompletableFuture<T> instead");
        }
        if (type.isContainerType() || type.isReferenceType()) {
            if (type.getKeyType() != null) {
                checkStorable(type.getKeyType(), owner);
            }
            if (type.getContentType() != null) {
                checkStorable(type.getContentType(), owner);
            }
            return;
        }
        if (raw == Object.class || (type.isAbstract() && !raw.isPrimitive() && !raw.isEnum()
                && !raw.isAnnotationPresent(JsonTypeInfo.class) && !Map.class.isAssignableFrom(raw))) {
            throw unstorable(owner, type, "it is " + (raw == Object.class ? "Object" : "abstract")
                    + ", so the stored JSON does not say which class to create; declare a concrete type, or annotate"
                    + " the type with @JsonTypeInfo");
        }
    }

    private static IdempotencyConfigurationException unstorable(String owner, JavaType type, String why) {
        return new IdempotencyConfigurationException(owner + " returns " + type.toCanonical()
                + ", which cannot be stored for replay: " + why);
    }

    private enum Shape {
        NONE, JSON, RESPONSE_ENTITY
    }

    /** Kept apart so that spring-web stays optional. */
    private static final class ResponseEntities {

        static boolean isResponseEntity(Class<?> type) {
            return org.springframework.http.HttpEntity.class.isAssignableFrom(type);
        }

        static JsonNode toJson(JsonMapper mapper, Object value) {
            if (value == null) {
                return mapper.nullNode();
            }
            if (!(value instanceof org.springframework.http.ResponseEntity<?> entity)) {
                throw new IdempotencyException("Only ResponseEntity results can be stored, not " + value.getClass().getName());
            }
            ObjectNode node = mapper.createObjectNode();
            node.put("status", entity.getStatusCode().value());
            ObjectNode headers = node.putObject("headers");
            entity.getHeaders().forEach((name, values) -> {
                var array = headers.putArray(name);
                values.forEach(array::add);
            });
            node.set("body", mapper.valueToTree(entity.getBody()));
            return node;
        }

        static Object fromJson(JsonMapper mapper, JsonNode node, JavaType bodyType) {
            if (node == null || node.isNull()) {
                return null;
            }
            var headers = new org.springframework.http.HttpHeaders();
            node.path("headers").properties().forEach(e -> e.getValue().forEach(v -> headers.add(e.getKey(), v.asString())));
            JsonNode bodyNode = node.path("body");
            Object body = bodyNode.isNull() || bodyNode.isMissingNode() || bodyType.getRawClass() == Void.class
                    ? null : mapper.readerFor(bodyType).readValue(bodyNode);
            return org.springframework.http.ResponseEntity.status(node.path("status").asInt()).headers(headers).body(body);
        }
    }
}
