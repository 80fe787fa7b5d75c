package dev.idempotent.store.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.RateLimitedWarning;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store: records in a bounded Caffeine cache of this JVM, each entry expiring when its
 * lease (in progress) or ttl (completed) ends. Protects one JVM only; use the Redis or JDBC store when
 * several instances must agree.
 *
 * <p>Every step is one {@code compute} on the cache's map with a pure function, so no caller code ever
 * runs inside the cache's lock. Two bounds hold the completed records: their heap in bytes
 * ({@code maximumWeight}, each record weighed by {@link RecordWeigher}: its payload plus a measured
 * overhead) and their number ({@code maximumSize}). Running claims are never evicted. When a bound is
 * reached, Caffeine evicts completed records before their ttl ends (its admission policy may well pick
 * recent ones) and a warning says so, at most once a minute with a count: size the cache for the results
 * remembered per ttl. Evictions run on Caffeine's executor (the common pool) shortly after a write, so a burst
 * of small results may pass the bounds by up to Caffeine's write buffer (a few hundred records) for a moment;
 * a result of {@value #CLEAN_UP_AFTER_BYTES} bytes or more is made room for before {@link #complete} returns.
 */
public class CaffeineIdempotencyStore implements IdempotencyStore {

    private static final Log logger = LogFactory.getLog(CaffeineIdempotencyStore.class);

    /** Default bound on the number of records. */
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

    /** Default bound on the heap the completed records take, in bytes (64 MB). */
    public static final long DEFAULT_MAXIMUM_WEIGHT = 64L * 1024 * 1024;

    /**
     * A payload at least this large is made room for before {@link #complete} returns, so that a burst of
     * large results never exceeds the maximum weight by more than Caffeine's write buffer of small ones.
     */
    static final int CLEAN_UP_AFTER_BYTES = 64 * 1024;

    private final Cache<String, IdempotencyRecord> cache;

    private final ConcurrentMap<String, IdempotencyRecord> records;

    private final Clock clock;

    private final long maximumSize;

    private final long maximumWeight;

    private final RateLimitedWarning evictions = new RateLimitedWarning(logger);

    public CaffeineIdempotencyStore() {
        this(DEFAULT_MAXIMUM_SIZE);
    }

    /** A store of at most {@code maximumSize} completed records and {@link #DEFAULT_MAXIMUM_WEIGHT} bytes. */
    public CaffeineIdempotencyStore(long maximumSize) {
        this(maximumSize, DEFAULT_MAXIMUM_WEIGHT);
    }

    /**
     * @param maximumSize the most completed records kept
     * @param maximumWeight the most heap, in bytes, the completed records take (payloads plus overhead)
     */
    public CaffeineIdempotencyStore(long maximumSize, long maximumWeight) {
        this(maximumSize, maximumWeight, Clock.systemUTC());
    }

    CaffeineIdempotencyStore(long maximumSize, Clock clock) {
        this(maximumSize, DEFAULT_MAXIMUM_WEIGHT, clock);
    }

    CaffeineIdempotencyStore(long maximumSize, long maximumWeight, Clock clock) {
        if (maximumSize <= 0) {
            throw new IllegalArgumentException("maximumSize must be positive, was " + maximumSize);
        }
        if (maximumWeight <= 0) {
            throw new IllegalArgumentException("maximumWeight must be positive, was " + maximumWeight + " bytes");
        }
        this.clock = clock;
        this.maximumSize = maximumSize;
        this.maximumWeight = maximumWeight;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumWeight)
                .weigher(new RecordWeigher(maximumWeight, maximumSize))
                .expireAfter(new RecordExpiry())
                // called during the eviction itself (a removal listener would be called later, on the executor)
                .evictionListener((String key, IdempotencyRecord record, RemovalCause cause) -> {
                    // the key is null only for entries whose key was garbage collected, never here (strong keys)
                    if (cause == RemovalCause.SIZE && key != null) {
                        warnEvicted(key);
                    }
                })
                // Caffeine's maintenance (eviction) runs on its default executor, the common pool, as in Spring's
                // CaffeineCacheManager. On the caller's thread instead, every writer waited for the one that held
                // the eviction lock, and 8 threads on 2 cores did fewer first runs than 1. The bounds still hold:
                // a writer that finds Caffeine's write buffer full does the maintenance itself, and room is made
                // for a large result before complete returns (CLEAN_UP_AFTER_BYTES)
                .build();
        this.records = cache.asMap();
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        Instant now = clock.instant();
        IdempotencyRecord mine = IdempotencyRecord.claimed(key, fingerprint, ownerToken, now, now.plus(lease));
        IdempotencyRecord result =
                records.compute(key, (k, existing) -> existing == null || existing.isExpired(now) ? mine : existing);
        return result == mine ? Claim.acquired(mine) : Claim.existing(result);
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        Instant now = clock.instant();
        boolean[] done = {false};
        records.computeIfPresent(key, (k, existing) -> {
            if (ownsLive(existing, ownerToken, now)) {
                done[0] = true;
                return existing.completed(payload.clone(), now.plus(ttl));
            }
            return existing;
        });
        if (done[0] && payload.length >= CLEAN_UP_AFTER_BYTES) {
            cache.cleanUp();
        }
        return done[0];
    }

    /** Runs Caffeine's pending maintenance (evictions, expiries) now, on this thread. */
    void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public boolean release(String key, String ownerToken) {
        Instant now = clock.instant();
        boolean[] done = {false};
        records.computeIfPresent(key, (k, existing) -> {
            if (ownsLive(existing, ownerToken, now)) {
                done[0] = true;
                return null;
            }
            return existing;
        });
        return done[0];
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        Instant now = clock.instant();
        boolean[] done = {false};
        records.computeIfPresent(key, (k, existing) -> {
            if (ownsLive(existing, ownerToken, now)) {
                done[0] = true;
                return existing.renewed(now.plus(lease));
            }
            return existing;
        });
        return done[0];
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        IdempotencyRecord record = records.get(key);
        // the stored record itself, payload included: records are immutable and payloads are read-only by
        // contract, so a replay copies nothing (the engine decodes a fresh value from it)
        return record == null || record.isExpired(clock.instant()) ? Optional.empty() : Optional.of(record);
    }

    @Override
    public boolean delete(String key) {
        IdempotencyRecord removed = records.remove(key);
        return removed != null && !removed.isExpired(clock.instant());
    }

    @Override
    public int maxKeyLength() {
        return 1024;
    }

    /** No: every step is a map operation in memory, so reactive callers call it in place. */
    @Override
    public boolean blocksCallingThread() {
        return false;
    }

    @Override
    public String toString() {
        return "CaffeineIdempotencyStore";
    }

    private void warnEvicted(String key) {
        evictions.warn(
                key,
                (count, latest) -> "The embedded idempotency store is full (idempotency.caffeine."
                        + "maximum-weight " + maximumWeight + " bytes, maximum-size " + maximumSize + ") and evicted "
                        + count
                        + " completed record(s) before their ttl ended since the last such warning (latest key '"
                        + latest
                        + "'): a repeat of an evicted key runs the operation again. Raise the maximum weight or size, shorten"
                        + " the ttl, or use the Redis or JDBC store");
    }

    private static boolean ownsLive(IdempotencyRecord record, String ownerToken, Instant now) {
        return record.isInProgress() && record.isOwnedBy(ownerToken) && !record.isExpired(now);
    }

    /** Each entry lives until its own lease or ttl ends; the engine's decisions still check the time. */
    private final class RecordExpiry implements Expiry<String, IdempotencyRecord> {

        @Override
        public long expireAfterCreate(String key, IdempotencyRecord record, long currentTime) {
            return nanosUntil(record.expiresAt());
        }

        @Override
        public long expireAfterUpdate(String key, IdempotencyRecord record, long currentTime, long currentDuration) {
            return nanosUntil(record.expiresAt());
        }

        @Override
        public long expireAfterRead(String key, IdempotencyRecord record, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long nanosUntil(Instant instant) {
            Duration left = Duration.between(clock.instant(), instant);
            if (left.isNegative()) {
                return 0;
            }
            try {
                return left.toNanos();
            } catch (ArithmeticException tooLong) {
                return Long.MAX_VALUE;
            }
        }
    }
}
