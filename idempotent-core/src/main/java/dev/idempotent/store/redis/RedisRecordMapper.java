package dev.idempotent.store.redis;

import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.RecordStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Turns the Redis hash of a key into its {@link IdempotencyRecord}, as {@link RedisScripts} write it:
 * {@value #STATUS} status, {@value #FINGERPRINT} fingerprint (absent when {@code null}), {@value #OWNER} owner
 * token, {@value #CREATED} created, {@value #LEASE_EXPIRES} lease end (absent once completed),
 * {@value #EXPIRES} expiry, {@value #PAYLOAD} payload; times are epoch milliseconds of the server clock. A hash
 * that is not such a record is an {@link IllegalStateException} saying so, never a half-filled record.
 */
final class RedisRecordMapper implements BiFunction<String, Map<String, byte[]>, IdempotencyRecord> {

    static final String STATUS = "s";

    static final String FINGERPRINT = "f";

    static final String OWNER = "o";

    static final String CREATED = "c";

    static final String LEASE_EXPIRES = "l";

    static final String EXPIRES = "e";

    static final String PAYLOAD = "p";

    /** The mapper: it keeps no state. */
    static final RedisRecordMapper INSTANCE = new RedisRecordMapper();

    private RedisRecordMapper() {}

    /** The record of {@code key} from its hash's fields by name. */
    @Override
    public IdempotencyRecord apply(String key, Map<String, byte[]> fields) {
        String status = string(fields, STATUS);
        String owner = string(fields, OWNER);
        Instant expires = instant(fields, EXPIRES);
        if (status == null || owner == null || expires == null) {
            throw new IllegalStateException("The Redis hash of idempotency key '" + key + "' is not a record of this"
                    + " store (fields " + fields.keySet() + "); is another application writing under the same prefix?");
        }
        RecordStatus recordStatus;
        try {
            recordStatus = RecordStatus.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "The Redis record of idempotency key '" + key + "' has an unknown status '" + status + "'", e);
        }
        byte[] payload = recordStatus == RecordStatus.COMPLETED ? fields.get(PAYLOAD) : null;
        return new IdempotencyRecord(
                key,
                recordStatus,
                string(fields, FINGERPRINT),
                owner,
                instant(fields, CREATED),
                recordStatus == RecordStatus.IN_PROGRESS ? instant(fields, LEASE_EXPIRES) : null,
                expires,
                payload);
    }

    /**
     * The record of {@code key} from its hash as {@code HGETALL} answers it, field names and values as bytes
     * (the blocking client) or buffers (the reactive one).
     */
    IdempotencyRecord fromHash(String key, Map<?, ?> hash) {
        Map<String, byte[]> fields = new HashMap<>();
        hash.forEach((field, value) -> fields.put(new String(bytes(field), StandardCharsets.UTF_8), bytes(value)));
        return apply(key, fields);
    }

    /** The record of {@code key} from its hash as a script answers it: field, value, field, value... */
    IdempotencyRecord fromFlatList(String key, List<?> flat) {
        if (flat.size() % 2 != 0) {
            throw new IllegalStateException("Redis answered a record with an odd number of elements: " + flat.size());
        }
        Map<String, byte[]> fields = new HashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            fields.put(new String(bytes(flat.get(i)), StandardCharsets.UTF_8), bytes(flat.get(i + 1)));
        }
        return apply(key, fields);
    }

    private static byte[] bytes(Object element) {
        if (element instanceof byte[] bytes) {
            return bytes;
        }
        if (element instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        throw new IllegalStateException("Redis answered a record element of type "
                + (element == null ? "null" : element.getClass().getName()) + " instead of bytes");
    }

    private static @Nullable String string(Map<String, byte[]> fields, String name) {
        byte[] value = fields.get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static @Nullable Instant instant(Map<String, byte[]> fields, String name) {
        String value = string(fields, name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(
                    "The Redis record field '" + name + "' is not epoch milliseconds: " + value, e);
        }
    }
}
