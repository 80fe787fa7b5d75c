package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hashes what an operation was asked to do: the SHA-256 of its arguments written as canonical JSON
 * (properties and map entries sorted), so equal arguments give equal fingerprints across JVMs. A message
 * argument (AMQP {@code Message}, Kafka {@code ConsumerRecord}, {@code org.springframework.messaging.Message})
 * is fingerprinted by its payload, see {@link MessageArguments}.
 */
public final class Fingerprints {

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
                    throw new IdempotencyException("Argument " + i + " of " + operation + " (a "
                            + arguments[i].getClass().getName() + ") cannot be written as JSON to fingerprint the"
                            + " call: " + inner.getOriginalMessage() + "; give @Idempotent a fingerprint expression"
                            + " naming what the call asks for", e);
                }
            }
            throw new IdempotencyException("The arguments of " + operation + " cannot be written as JSON to"
                    + " fingerprint the call: " + e.getOriginalMessage(), e);
        }
    }
}
