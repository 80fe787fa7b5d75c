package dev.idempotent.support;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.idempotent.IdempotencyConfigurationException;
import java.io.InputStream;
import java.io.Reader;
import java.util.Calendar;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.BeanPropertyDefinition;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decides, when an operation is set up, whether its return type can be stored and read back
 * {@code equals()} to the original. It walks the type: collection and map contents, map keys, and the
 * properties of records and beans, and refuses with a message naming the operation, the type and where
 * in it the problem is ({@code lines[].at}, {@code prices{key}}):
 * <ul>
 * <li>types with no stored form (streams, readers, iterators, futures inside a result, reactive types);</li>
 * <li>types whose JSON does not say which class to create ({@code Object}, interfaces and abstract classes
 * without {@code @JsonTypeInfo});</li>
 * <li>types whose JSON loses information: {@code Calendar} (its time zone), {@code java.sql.Timestamp},
 * {@code java.sql.Date} and {@code java.sql.Time} (nanoseconds, or the time of day),
 * {@code XMLGregorianCalendar}, and {@code Optional<Optional<T>>} ({@code Optional.of(Optional.empty())}
 * would come back empty);</li>
 * <li>map keys that cannot be read back from their JSON text.</li>
 * </ul>
 */
final class StorableTypes {

    private static final List<Class<?>> UNSTORABLE =
            List.of(InputStream.class, Reader.class, BaseStream.class, Iterator.class, Future.class, Thread.class);

    private final JsonMapper mapper;

    private final String owner;

    private final JavaType declared;

    private final Set<JavaType> visited = new HashSet<>();

    private StorableTypes(JsonMapper mapper, String owner, JavaType declared) {
        this.mapper = mapper;
        this.owner = owner;
        this.declared = declared;
    }

    /**
     * @param mapper the exact mapper the values are written and read with
     * @param owner names the operation, e.g. {@code OrderService.place(Order)}
     * @throws IdempotencyConfigurationException if {@code type} cannot be stored and replayed exactly
     */
    static void check(JsonMapper mapper, JavaType type, String owner) {
        new StorableTypes(mapper, owner, type).visit(type, "", false);
    }

    private void visit(JavaType type, String path, boolean typeInfoDeclared) {
        if (!visited.add(type)) {
            return;
        }
        Class<?> raw = type.getRawClass();
        for (Class<?> unstorable : UNSTORABLE) {
            if (unstorable.isAssignableFrom(raw)) {
                throw refuse(
                        path, type, "a " + unstorable.getSimpleName() + " is consumed once and has no stored form");
            }
        }
        if (raw.getName().startsWith("reactor.core.publisher.") || raw.getName().startsWith("org.reactivestreams.")) {
            throw refuse(path, type, "reactive types are not supported; return CompletableFuture<T> instead");
        }
        if (type.isReferenceType()) {
            if (type.getContentType().isReferenceType()) {
                throw refuse(
                        path,
                        type,
                        "Optional.of(Optional.empty()) is stored as null and would come back as"
                                + " Optional.empty(); return a single Optional");
            }
            visit(type.getContentType(), path, false);
            return;
        }
        if (type.isContainerType()) {
            if (type.getKeyType() != null) {
                visit(type.getKeyType(), path + "{key}", false);
                checkMapKey(type.getKeyType(), path + "{key}");
            }
            if (type.getContentType() != null) {
                visit(type.getContentType(), path + (type.getKeyType() != null ? "{value}" : "[]"), false);
            }
            return;
        }
        if (Calendar.class.isAssignableFrom(raw)) {
            throw refuse(
                    path,
                    type,
                    "a Calendar is stored as an instant and comes back in another time zone;"
                            + " use ZonedDateTime, OffsetDateTime or Instant");
        }
        if (Date.class.isAssignableFrom(raw) && raw != Date.class) {
            throw refuse(
                    path,
                    type,
                    "a " + raw.getName() + " is stored as a java.util.Date and comes back without"
                            + " its nanoseconds or with another time of day; use Instant, LocalDateTime, LocalDate or LocalTime");
        }
        if (isNamed(raw, "javax.xml.datatype.XMLGregorianCalendar")) {
            throw refuse(path, type, "an XMLGregorianCalendar is not stored exactly; use a java.time type");
        }
        if (raw == Object.class
                || (type.isAbstract()
                        && !raw.isPrimitive()
                        && !raw.isEnum()
                        && !raw.isAnnotationPresent(JsonTypeInfo.class)
                        && !Map.class.isAssignableFrom(raw))) {
            if (typeInfoDeclared) {
                return;
            }
            throw refuse(
                    path,
                    type,
                    "it is " + (raw == Object.class ? "Object" : "abstract")
                            + ", so the stored JSON does not say which class to create (an Object would come back as a Map,"
                            + " a List, a Double...); declare a concrete type, or annotate the type with @JsonTypeInfo");
        }
        if (isBean(raw)) {
            visitProperties(type, path);
        }
    }

    private void visitProperties(JavaType type, String path) {
        BeanDescription description = mapper._serializationContext().introspectBeanDescription(type);
        if (description.findJsonValueAccessor() != null) {
            return; // written as its @JsonValue, read by its creator: its properties are not what is stored
        }
        for (BeanPropertyDefinition property : description.findProperties()) {
            if (property.couldSerialize() && property.couldDeserialize()) {
                visit(property.getPrimaryType(), path + "." + property.getName(), declaresTypeInfo(property));
            }
        }
    }

    private void checkMapKey(JavaType keyType, String path) {
        try {
            mapper._deserializationContext().findKeyDeserializer(keyType, null);
        } catch (JacksonException e) {
            throw refuse(
                    path,
                    keyType,
                    "map keys of this type are written as their toString() and cannot be read"
                            + " back (" + e.getOriginalMessage()
                            + "); use String, a number, UUID or an enum as the key, or give"
                            + " the key type a constructor or static valueOf(String) that reads its toString()");
        }
    }

    /** Records and beans of the application, whose properties are what is stored. */
    private static boolean isBean(Class<?> raw) {
        String name = raw.getName();
        return !raw.isPrimitive()
                && !raw.isEnum()
                && !raw.isArray()
                && !name.startsWith("java.")
                && !name.startsWith("javax.")
                && !name.startsWith("jdk.")
                && !name.startsWith("tools.jackson.")
                && !name.startsWith("com.fasterxml.jackson.")
                && !raw.isAnnotationPresent(JsonSerialize.class)
                && !raw.isAnnotationPresent(JsonDeserialize.class);
    }

    /** Whether the property says how to find the class of its value (then an abstract type is fine). */
    private static boolean declaresTypeInfo(BeanPropertyDefinition property) {
        for (Annotated member : new Annotated[] {
            property.getField(), property.getGetter(), property.getSetter(), property.getConstructorParameter()
        }) {
            if (member != null
                    && (member.hasAnnotation(JsonTypeInfo.class) || member.hasAnnotation(JsonDeserialize.class))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNamed(Class<?> raw, String name) {
        for (Class<?> c = raw; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private IdempotencyConfigurationException refuse(String path, JavaType type, String why) {
        return new IdempotencyConfigurationException(owner + " returns " + declared.toCanonical()
                + (path.isEmpty()
                        ? ""
                        : " (at " + path.substring(path.startsWith(".") ? 1 : 0) + ": " + type.toCanonical() + ")")
                + ", which cannot be stored for replay exactly: " + why);
    }
}
