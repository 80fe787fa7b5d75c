package dev.idempotent.store.caffeine;

import com.github.benmanes.caffeine.cache.Weigher;
import dev.idempotent.store.IdempotencyRecord;

/**
 * Weighs a record by the heap it keeps, in bytes, so that the cache's maximum weight bounds its memory:
 * the payload, the key, fingerprint and owner token (one byte per character, as Java stores Latin-1
 * text), plus {@link #RECORD_OVERHEAD_BYTES} for the objects around them.
 *
 * <p>Every completed record weighs at least {@code maximumWeight / maximumSize}, so that the weight
 * bound also keeps the number of records under {@code maximumSize}. A running claim weighs nothing:
 * the bound never evicts it (that would let a duplicate run the operation again).
 */
final class RecordWeigher implements Weigher<String, IdempotencyRecord> {

    /**
     * The heap a completed record takes beyond its payload and its strings' characters: the record, its
     * instants, the string and array headers, Caffeine's node with its expiry and weight, and the map
     * entry. Measured at 340 bytes by {@code CaffeineIdempotencyStoreMemoryTests} (Java 17, 64-bit, compressed
     * pointers: 640 bytes in all for a record with a 170-byte payload and a 31-character key), rounded up
     * so that a record is never weighed lighter than it is.
     */
    static final int RECORD_OVERHEAD_BYTES = 384;

    private final int minimumWeight;

    RecordWeigher(long maximumWeight, long maximumSize) {
        this.minimumWeight = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maximumWeight / maximumSize));
    }

    @Override
    public int weigh(String key, IdempotencyRecord record) {
        if (record.isInProgress()) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(minimumWeight, bytes(record)));
    }

    /** The heap {@code record} keeps, in bytes (estimated). */
    static long bytes(IdempotencyRecord record) {
        return RECORD_OVERHEAD_BYTES
                + (record.payload() == null ? 0 : record.payload().length)
                + record.key().length()
                + (record.fingerprint() == null ? 0 : record.fingerprint().length())
                + record.ownerToken().length();
    }
}
