package dev.idempotent.support;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyReplayException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores a method's result as JSON with Jackson 3, read back with the method's generic return type
 * ({@code List<Order>}, {@code Optional<Receipt>}, records, POJOs, primitives) so that a replay is
 * {@code equals()} to the original ({@code BigDecimal} scale, offsets and zone ids, nanoseconds, map keys
 * included). Handles {@code void}, {@code CompletableFuture<T>}/{@code CompletionStage<T>} (stored when they
 * complete) and Spring's {@code ResponseEntity<T>} (status, headers, body).
 *
 * <p>Every payload names the declared type it holds ({@link StoredPayload}); a replay into another type,
 * or of JSON that no longer fits the type, throws {@link IdempotencyReplayException}. Never Java
 * serialization, never polymorphic default typing: a type that cannot be read back exactly is rejected
 * when the codec is built ({@link StorableTypes}).
 */
public final class JsonResultCodec implements ResultCodec {

    private static final boolean SPRING_WEB_PRESENT =
            ClassUtils.isPresent("org.springframework.http.ResponseEntity", JsonResultCodec.class.getClassLoader());

    private final JsonMapper mapper;

    private final Shape shape;

    /** The canonical generic type of the stored value, as every payload names it. */
    private final String storedType;

    private final ObjectWriter writer;

    private final @Nullable ObjectReader reader;

    private final Class<? extends Throwable>[] storeExceptions;

    private final boolean async;

    /** Whether values are deeply immutable, so that one decoded instance may be returned to every replay. */
    private final boolean immutableValues;

    /**
     * The last payload decoded and its value, when values are immutable: a hot key's replays decode once.
     * The payload is kept only when it is small, so comparing costs less than decoding.
     */
    private volatile @Nullable Decoded lastDecoded;

    private record Decoded(byte[] payload, @Nullable Object value) {}

    private static final int MAX_REMEMBERED_PAYLOAD = 16 * 1024;

    private JsonResultCodec(
            JsonMapper mapper,
            Shape shape,
            String storedType,
            @Nullable JavaType formType,
            Class<? extends Throwable>[] storeExceptions,
            boolean async) {
        this.mapper = mapper;
        this.shape = shape;
        this.storedType = storedType;
        this.writer = formType == null ? mapper.writer() : mapper.writerFor(formType);
        this.reader = formType == null
                ? null
                : mapper.readerFor(formType).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.storeExceptions = storeExceptions;
        this.async = async;
        this.immutableValues =
                shape == Shape.JSON && !async && formType != null && ImmutableTypes.isDeeplyImmutable(formType);
    }

    /**
     * @param returnType the generic return type of the operation
     * @param storeExceptions exception types recorded and rethrown on replay
     * @param owner names the operation in error messages, e.g. {@code OrderService.place(Order)}
     * @throws IdempotencyConfigurationException if the type cannot be stored and read back exactly
     */
    public static JsonResultCodec forType(
            JsonMapper mapper, Type returnType, Class<? extends Throwable>[] storeExceptions, String owner) {
        for (Class<? extends Throwable> type : storeExceptions) {
            if (findMessageConstructor(type) == null && findNoArgConstructor(type) == null) {
                throw new IdempotencyConfigurationException("storeExceptions of " + owner + " names " + type.getName()
                        + ", which has no public constructor taking a String or nothing, so it cannot be rethrown"
                        + " on replay");
            }
        }
        JsonMapper exact = ExactJson.of(mapper);
        JavaType type = exact.getTypeFactory().constructType(returnType);
        boolean async = false;
        if (CompletionStage.class.isAssignableFrom(type.getRawClass())) {
            if (!type.getRawClass().isAssignableFrom(CompletableFuture.class)) {
                throw new IdempotencyConfigurationException(owner + " returns " + type
                        + "; asynchronous results are supported as CompletableFuture<T> or CompletionStage<T>");
            }
            async = true;
            type = type.containedTypeOrUnknown(0);
        }
        if (type.getRawClass() == void.class || type.getRawClass() == Void.class) {
            return new JsonResultCodec(exact, Shape.NONE, "void", null, storeExceptions.clone(), async);
        }
        String storedType = canonical(type);
        if (SPRING_WEB_PRESENT && ResponseEntities.isResponseEntity(type.getRawClass())) {
            JavaType body = type.containedTypeOrUnknown(0);
            if (body.getRawClass() != Void.class) {
                StorableTypes.check(exact, body, owner);
            }
            return new JsonResultCodec(
                    exact,
                    Shape.RESPONSE_ENTITY,
                    storedType,
                    ResponseEntities.formType(exact, body),
                    storeExceptions.clone(),
                    async);
        }
        StorableTypes.check(exact, type, owner);
        return new JsonResultCodec(exact, Shape.JSON, storedType, type, storeExceptions.clone(), async);
    }

    /** The name a payload gives its type: primitives as their wrappers (their JSON is the same). */
    private static String canonical(JavaType type) {
        Class<?> raw = type.getRawClass();
        return raw.isPrimitive() ? ClassUtils.resolvePrimitiveIfNecessary(raw).getName() : type.toCanonical();
    }

    /** The type every payload of this codec names, e.g. {@code java.util.List<com.acme.Receipt>} or {@code void}. */
    public String storedType() {
        return storedType;
    }

    @Override
    public @Nullable CompletionStage<?> pending(@Nullable Object result) {
        return async ? (CompletionStage<?>) result : null;
    }

    @Override
    public byte[] encodeValue(@Nullable Object value) {
        Object form = switch (shape) {
            case NONE -> null;
            case RESPONSE_ENTITY -> ResponseEntities.toForm(value);
            case JSON -> value;
        };
        return StoredPayload.ofValue(mapper, storedType, writer, form);
    }

    @Override
    public byte @Nullable [] encodeFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        for (Class<? extends Throwable> type : storeExceptions) {
            if (type.isInstance(cause)) {
                return StoredPayload.ofFailure(mapper, storedType, cause);
            }
        }
        return null;
    }

    /**
     * @throws IdempotencyReplayException if the payload was stored for another type, its JSON no longer
     *     fits this type, or it holds an exception that is no longer among {@code storeExceptions}
     */
    @Override
    public @Nullable Object decode(byte[] payload) throws Throwable {
        Decoded last = lastDecoded;
        if (last != null && (last.payload == payload || Arrays.equals(last.payload, payload))) {
            // the same stored bytes (the same array from a store that hands out the one it keeps, or equal
            // bytes read again from a server) and a deeply immutable value: the instance decoded from them
            // before is equal to a fresh one, and nobody can change it
            return last.value;
        }
        StoredPayload stored = StoredPayload.read(mapper, payload, storedType, shape == Shape.NONE ? null : reader);
        String failureType = stored.failureType();
        if (failureType != null) {
            Throwable failure = recreate(failureType, stored.failureMessage());
            if (async) {
                return CompletableFuture.failedFuture(failure);
            }
            throw failure;
        }
        Object value = switch (shape) {
            case NONE -> null;
            case RESPONSE_ENTITY -> ResponseEntities.fromForm(stored.value());
            case JSON -> stored.value();
        };
        if (immutableValues && payload.length <= MAX_REMEMBERED_PAYLOAD) {
            lastDecoded = new Decoded(payload, value);
        }
        return async ? CompletableFuture.completedFuture(value) : value;
    }

    @Override
    public boolean mayCompleteInTransaction() {
        return !async;
    }

    @Override
    public @Nullable Object skipped() {
        return async ? CompletableFuture.completedFuture(null) : null;
    }

    private Throwable recreate(String typeName, @Nullable String message) {
        for (Class<? extends Throwable> type : storeExceptions) {
            Class<? extends Throwable> actual = type.getName().equals(typeName) ? type : loadSubtype(type, typeName);
            if (actual != null) {
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
        String expected =
                Arrays.stream(storeExceptions).map(Class::getName).toList().toString();
        throw new IdempotencyReplayException(
                "holds a stored exception " + typeName + " (\"" + message + "\"), which"
                        + " is no longer among the storeExceptions " + expected
                        + " (or no longer exists), so it cannot be"
                        + " replayed. " + StoredPayload.ADVICE,
                null,
                typeName,
                expected,
                null);
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Class<? extends Throwable> loadSubtype(Class<? extends Throwable> base, String typeName) {
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

    private static <T> @Nullable Constructor<T> findMessageConstructor(Class<T> type) {
        try {
            return Modifier.isAbstract(type.getModifiers()) ? null : type.getConstructor(String.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static <T> @Nullable Constructor<T> findNoArgConstructor(Class<T> type) {
        try {
            return Modifier.isAbstract(type.getModifiers()) ? null : type.getConstructor();
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private enum Shape {
        NONE,
        JSON,
        RESPONSE_ENTITY
    }

    /**
     * How a {@code ResponseEntity<T>} is stored: its status, its headers in order, and its body written as
     * a {@code T}.
     */
    record EntityForm<T>(
            int status,
            @Nullable LinkedHashMap<String, List<String>> headers,
            @Nullable T body) {}

    /** Kept apart so that spring-web stays optional. */
    private static final class ResponseEntities {

        static boolean isResponseEntity(Class<?> type) {
            return org.springframework.http.HttpEntity.class.isAssignableFrom(type);
        }

        static JavaType formType(JsonMapper mapper, JavaType bodyType) {
            return mapper.getTypeFactory().constructParametricType(EntityForm.class, bodyType);
        }

        static @Nullable EntityForm<?> toForm(@Nullable Object value) {
            if (value == null) {
                return null;
            }
            if (!(value instanceof org.springframework.http.ResponseEntity<?> entity)) {
                throw new IdempotencyException("Only ResponseEntity results can be stored, not "
                        + value.getClass().getName());
            }
            LinkedHashMap<String, List<String>> headers = new LinkedHashMap<>();
            entity.getHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            return new EntityForm<>(entity.getStatusCode().value(), headers, entity.getBody());
        }

        static @Nullable Object fromForm(@Nullable Object stored) {
            if (!(stored instanceof EntityForm<?> form)) {
                return null;
            }
            var headers = new org.springframework.http.HttpHeaders();
            if (form.headers() != null) {
                form.headers().forEach(headers::addAll);
            }
            return org.springframework.http.ResponseEntity.status(form.status())
                    .headers(headers)
                    .body(form.body());
        }
    }
}
