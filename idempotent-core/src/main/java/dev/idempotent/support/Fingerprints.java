package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hashes what an operation was asked to do: the SHA-256 of its arguments written as canonical JSON
 * (properties and map entries sorted), so equal arguments give equal fingerprints across JVMs.
 */
public final class Fingerprints {

    private final JsonMapper canonical;

    public Fingerprints(JsonMapper mapper) {
        this.canonical = mapper.rebuild()
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    /**
     * @param operation names the operation in the error message
     * @throws IdempotencyException naming the argument that cannot be written as JSON
     */
    public String of(Object[] arguments, String operation) {
        try {
            return Keys.sha256Hex(canonical.writeValueAsBytes(arguments));
        } catch (JacksonException e) {
            for (int i = 0; i < arguments.length; i++) {
                try {
                    canonical.writeValueAsBytes(arguments[i]);
                } catch (JacksonException inner) {
                    throw new IdempotencyException("Argument " + i + " of " + operation + " (a "
                            + arguments[i].getClass().getName() + ") cannot be written as JSON to fingerprint the"
                            + " call: " + inner.getOriginalMessage(), e);
                }
            }
            throw new IdempotencyException("The arguments of " + operation + " cannot be written as JSON to"
                    + " fingerprint the call: " + e.getOriginalMessage(), e);
        }
    }
}
