package dev.idempotent.store.redis;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;

/**
 * The record format of the Redis stores, shared by {@link RedisIdempotencyStore} and
 * {@link ReactiveRedisIdempotencyStore} so that both read and write the same keys: Redis keys
 * ({@code keyPrefix + key}, strict UTF-8), the arguments of each {@link RedisScripts script}, and the claim script's
 * answer (its record read by {@link RedisRecordMapper}); plus how a Redis failure is reported.
 */
final class RedisRecords {

    private final byte[] keyPrefixBytes;

    RedisRecords(String keyPrefix) {
        this.keyPrefixBytes = utf8(Objects.requireNonNull(keyPrefix, "keyPrefix"), "key prefix");
    }

    /** KEYS[1] and ARGV of {@link RedisScripts#CLAIM}. */
    byte[][] claimArgs(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        byte[] leaseMillis = millis(lease, "lease");
        return fingerprint == null
                ? new byte[][] {redisKey(key), utf8(ownerToken), leaseMillis}
                : new byte[][] {redisKey(key), utf8(ownerToken), leaseMillis, utf8(fingerprint)};
    }

    /** KEYS[1] and ARGV of {@link RedisScripts#COMPLETE}. */
    byte[][] completeArgs(String key, String ownerToken, byte[] payload, Duration ttl) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        Objects.requireNonNull(payload, "payload");
        return new byte[][] {redisKey(key), utf8(ownerToken), millis(ttl, "ttl"), payload};
    }

    /** KEYS[1] and ARGV of {@link RedisScripts#RELEASE}. */
    byte[][] releaseArgs(String key, String ownerToken) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        return new byte[][] {redisKey(key), utf8(ownerToken)};
    }

    /** KEYS[1] and ARGV of {@link RedisScripts#RENEW}. */
    byte[][] renewArgs(String key, String ownerToken, Duration lease) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        return new byte[][] {redisKey(key), utf8(ownerToken), millis(lease, "lease")};
    }

    /** The answer of {@link RedisScripts#CLAIM}: a flag (1 acquired, 0 not), then the record's hash, flat. */
    static Claim claim(String key, List<?> answer) {
        if (answer.isEmpty() || !(answer.get(0) instanceof Long acquired)) {
            throw new IllegalStateException("Redis answered the claim of key '" + key + "' with " + answer
                    + " instead of a flag and a record; is the server a Redis 5+ compatible one?");
        }
        IdempotencyRecord record = RedisRecordMapper.INSTANCE.fromFlatList(key, answer.subList(1, answer.size()));
        return acquired == 1L ? Claim.acquired(record) : Claim.existing(record);
    }

    static IdempotencyStoreUnavailableException unavailable(String what, String key, Throwable e) {
        return new IdempotencyStoreUnavailableException(
                "Redis failed to " + what + " for idempotency key '" + key + "': " + describe(e),
                e,
                TransientRedisFailures.isTransient(e));
    }

    /** The exception and, when it wraps others, its root cause, which usually says what really went wrong. */
    static String describe(Throwable e) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    static boolean isNoScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    static boolean flag(Object answer) {
        if (!(answer instanceof Long flag)) {
            throw new IllegalStateException("Redis answered " + answer + " instead of 0 or 1");
        }
        return flag == 1L;
    }

    byte[] redisKey(String key) {
        byte[] encoded = utf8(Objects.requireNonNull(key, "key"), "key");
        byte[] redisKey = new byte[keyPrefixBytes.length + encoded.length];
        System.arraycopy(keyPrefixBytes, 0, redisKey, 0, keyPrefixBytes.length);
        System.arraycopy(encoded, 0, redisKey, keyPrefixBytes.length, encoded.length);
        return redisKey;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Strict UTF-8: a lone surrogate would otherwise become '?' and two keys could share a record. */
    static byte[] utf8(String text, String what) {
        CharsetEncoder encoder = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer buffer = encoder.encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new InvalidIdempotencyKeyException(
                    "The idempotency " + what + " '" + text + "' is not valid"
                            + " Unicode (it has an unpaired surrogate character), so it cannot be stored in Redis",
                    e);
        }
    }

    private static byte[] millis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        long millis;
        try {
            millis = Math.max(1, duration.toMillis());
        } catch (ArithmeticException e) {
            millis = Long.MAX_VALUE;
        }
        // Stay far below 2^53, where the server's Lua numbers stop being exact: 2^50 ms is about 35,000 years.
        millis = Math.min(millis, 1L << 53 >> 3);
        return utf8(Long.toString(millis));
    }
}
