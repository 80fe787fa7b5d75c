package dev.idempotent.store.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * The embedded store: records in a bounded Caffeine cache of this JVM, each entry expiring when its
 * lease (in progress) or ttl (completed) ends. Protects one JVM only; use the Redis or JDBC store when
 * several instances must agree.
 *
 * <p>Every step is one {@code compute} on the cache's map with a pure function, so no caller code ever
 * runs inside the cache's lock. When the cache is full, Caffeine evicts the least valuable entries,
 * which may include completed records before their ttl ends: size the cache for the number of keys
 * remembered per ttl.
 */
public class CaffeineIdempotencyStore implements IdempotencyStore {

    /** Default bound on the number of records. */
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

    private final ConcurrentMap<String, IdempotencyRecord> records;

    private final Clock clock;

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
                .maximumSize(maximumSize)
                .expireAfter(new RecordExpiry())
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
