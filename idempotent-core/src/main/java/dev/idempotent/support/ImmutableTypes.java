package dev.idempotent.support;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.Currency;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

/**
 * Decides, once per operation, whether values of a declared type are deeply immutable: nothing reachable
 * from one can change. Such a value may be handed to several callers, so a replay can return the instance
 * it decoded before instead of decoding a fresh copy.
 *
 * <p>Deeply immutable: primitives and their wrappers, {@code String}, {@code BigDecimal},
 * {@code BigInteger}, {@code UUID}, {@code URI}, {@code Currency}, {@code Locale}, enums, the value types of
 * {@code java.time}, {@code Optional} of such a type, and records whose components all are. Anything else
 * (collections, arrays, classes with setters, records holding a {@code List}) is not.
 */
final class ImmutableTypes {

    private static final Set<Class<?>> VALUE_TYPES = Set.of(
            String.class,
            Boolean.class,
            Character.class,
            Byte.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            BigDecimal.class,
            BigInteger.class,
            UUID.class,
            URI.class,
            Currency.class,
            Locale.class);

    private static final TypeFactory TYPES = TypeFactory.createDefaultInstance();

    private ImmutableTypes() {}

    static boolean isDeeplyImmutable(JavaType type) {
        return isDeeplyImmutable(type, new HashSet<>());
    }

    private static boolean isDeeplyImmutable(JavaType type, Set<Class<?>> visiting) {
        Class<?> raw = type.getRawClass();
        if (raw.isPrimitive() || VALUE_TYPES.contains(raw) || raw.isEnum()) {
            return true;
        }
        if (raw.getName().startsWith("java.time.")
                && (TemporalAccessor.class.isAssignableFrom(raw)
                        || TemporalAmount.class.isAssignableFrom(raw)
                        || java.time.ZoneId.class.isAssignableFrom(raw))) {
            return true;
        }
        if (raw == Optional.class) {
            return isDeeplyImmutable(type.containedTypeOrUnknown(0), visiting);
        }
        if (raw.isRecord() && visiting.add(raw)) {
            for (RecordComponent component : raw.getRecordComponents()) {
                JavaType componentType = TYPES.resolveMemberType(component.getGenericType(), type.getBindings());
                if (!isDeeplyImmutable(componentType, visiting)) {
                    return false;
                }
            }
            return true;
        }
        // a record already being checked (a cycle) holds no mutable state of its own beyond what is checked
        return raw.isRecord();
    }
}
