package dev.idempotent.store.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The embedded store: records in a bounded Caffeine cache of this JVM, each entry expiring when its
 * lease (in progress) or ttl (completed) ends. Protects one JVM only; use the Redis or JDBC store when
 * several instances must agree.
 *
 * <p>Every step is one {@code compute} on the cache's map with a pure function, so no caller code ever
 * runs inside the cache's lock. The bound counts completed records only: running claims are never
 * evicted. When the cache is full, Caffeine evicts completed records before their ttl ends (its admission
 * policy may well pick recent ones) and a warning is logged: size the cache for the number of keys
 * remembered per ttl.
 */
public class CaffeineIdempotencyStore implements IdempotencyStore {

    private static final Log logger = LogFactory.getLog(CaffeineIdempotencyStore.class);

    /** Default bound on the number of records. */
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

    private final ConcurrentMap<String, IdempotencyRecord> records;

    private final Clock clock;

    private final AtomicLong evicted = new AtomicLong();

    public CaffeineIdempotencyStore() {
        this(DEFAULT_MAXIMUM_SIZE);
    }

    public CaffeineIdempotencyStore(long maximumSize) {
        this(maximumSize, Clock.systemUTC());
    }

    CaffeineIdempotencyStore(long maximumSize, Clock clock) {
        if (maximumSize <= 0) {
            throw new IllegalArgumentException("maximumSize must be positive, was " + maximumSize);
        }
        this.clock = clock;
        Cache<String, IdempotencyRecord> cache = Caffeine.newBuilder()
                .maximumWeight(maximumSize)
                // a running claim weighs nothing, so the bound never evicts it (that would let a duplicate
                // run the operation again); completed records weigh one each
                .weigher((String key, IdempotencyRecord record) -> record.isInProgress() ? 0 : 1)
                .expireAfter(new RecordExpiry())
                .removalListener((String key, IdempotencyRecord record, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        warnEvicted(key);
                    }
                })
                // evict on the caller's thread: the bound holds even when the common pool is busy
                .executor(Runnable::run)
                .build();
        this.records = cache.asMap();
    }

    @Override
    public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
        Instant now = clock.instant();
        IdempotencyRecord mine = IdempotencyRecord.claimed(key, fingerprint, ownerToken, now, now.plus(lease));
        IdempotencyRecord result = records.compute(
                key, (k, existing) -> existing == null || existing.isExpired(now) ? mine : existing);
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
        return done[0];
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
        return record == null || record.isExpired(clock.instant()) ? Optional.empty() : Optional.of(copy(record));
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

    @Override
    public String toString() {
        return "CaffeineIdempotencyStore";
    }

    private void warnEvicted(String key) {
        long count = evicted.incrementAndGet();
        if (count == 1 || count % 10_000 == 0) {
            logger.warn("The embedded idempotency store is full (idempotency.caffeine.maximum-size) and evicted a"
                    + " completed record before its ttl ended (key '" + key + "', " + count + " so far): a repeat of"
                    + " an evicted key runs the operation again. Raise the maximum size, shorten the ttl, or use"
                    + " the Redis or JDBC store");
        }
    }

    private static boolean ownsLive(IdempotencyRecord record, String ownerToken, Instant now) {
        return record.isInProgress() && record.isOwnedBy(ownerToken) && !record.isExpired(now);
    }

    private static IdempotencyRecord copy(IdempotencyRecord r) {
        return r.payload() == null ? r : new IdempotencyRecord(r.key(), r.status(), r.fingerprint(), r.ownerToken(),
                r.createdAt(), r.leaseExpiresAt(), r.expiresAt(), r.payload().clone());
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
