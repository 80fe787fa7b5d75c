package dev.idempotent.support;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import tools.jackson.databind.AnnotationIntrospector;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.NopAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The mapper configuration under which a stored result reads back {@code equals()} to what was stored,
 * or fails: derived once from the application's mapper (its modules kept).
 *
 * <ul>
 * <li>Exact values: {@code OffsetDateTime} keeps its offset and {@code ZonedDateTime} its zone id (no
 * adjustment to UTC), dates and durations are ISO-8601 text with nanoseconds. Numbers never go through
 * the tree model, so {@code BigDecimal} keeps its scale (see {@link StoredPayload}).</li>
 * <li>Every property is written ({@code @JsonInclude} is overridden), and a record or creator property
 * missing from a stored value fails the read: the class gained it since the value was stored.</li>
 * <li>Only what can be read back is written: a getter with no matching field, setter or creator
 * parameter (a computed value) is left out.</li>
 * <li>Strict reads: an unknown property, a {@code null} or missing primitive, a number read into a text
 * field (or text into a number or boolean, a fraction into an integer) fail instead of being coerced, so a
 * record whose class changed since it was stored is never replayed half-filled.</li>
 * </ul>
 */
final class ExactJson {

    private static final Map<JsonMapper, JsonMapper> mappers = Collections.synchronizedMap(new WeakHashMap<>());

    private ExactJson() {}

    /** The exact, strict twin of {@code mapper} (cached per mapper). */
    static JsonMapper of(JsonMapper mapper) {
        return mappers.computeIfAbsent(mapper, ExactJson::configure);
    }

    private static JsonMapper configure(JsonMapper mapper) {
        JsonMapper.Builder builder = mapper.rebuild();
        return builder
                // every property is written, nulls and empties included, whatever @JsonInclude says: so a
                // creator property missing from a stored record means the class gained it since
                .annotationIntrospector(
                        AnnotationIntrospector.pair(new IncludeEveryProperty(), builder.annotationIntrospector()))
                .changeDefaultPropertyInclusion(inclusion -> ALWAYS)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                // a getter with no field, setter or creator parameter (a computed value) is not stored: it
                // could not be read back, and would fail the strict read as an unknown property
                .enable(MapperFeature.REQUIRE_SETTERS_FOR_GETTERS)
                .disable(
                        DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS,
                        DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS,
                        DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE,
                        DateTimeFeature.TRUNCATE_TO_MSECS_ON_READ,
                        DateTimeFeature.TRUNCATE_TO_MSECS_ON_WRITE)
                .enable(DateTimeFeature.WRITE_DATES_WITH_ZONE_ID)
                .enable(
                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(
                        EnumFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL,
                        EnumFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
                .withCoercionConfig(
                        LogicalType.Textual,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Float, config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .build();
    }

    private static final JsonInclude.Value ALWAYS =
            JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS);

    /** Overrides every {@code @JsonInclude}: a stored value has all its properties. */
    private static final class IncludeEveryProperty extends NopAnnotationIntrospector {

        @Override
        public JsonInclude.Value findPropertyInclusion(MapperConfig<?> config, Annotated annotated) {
            return ALWAYS;
        }
    }
}
