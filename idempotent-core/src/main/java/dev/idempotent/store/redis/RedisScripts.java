package dev.idempotent.store.redis;

import java.nio.charset.StandardCharsets;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of {@link RedisIdempotencyStore}. Each one is a whole state change, atomic on the server,
 * and touches only {@code KEYS[1]} (so it runs unchanged on Redis Cluster).
 *
 * <p>A record is one hash, whose fields {@link RedisRecordMapper} reads: {@code s} status, {@code f}
 * fingerprint (absent when {@code null}), {@code o} owner token, {@code c} created, {@code l} lease end (absent
 * once completed), {@code e} expiry, {@code p} payload (raw bytes, only once completed); times are epoch
 * milliseconds of the server clock ({@code TIME}). The key itself expires at {@code e} ({@code PEXPIREAT}), so
 * an ended lease or ttl is an absent key.
 */
final class RedisScripts {

    /** Server clock in epoch milliseconds; integers are formatted with {@code %d} so they never become {@code 1.7e+12}. */
    private static final String PRELUDE = """
            if redis.replicate_commands then redis.replicate_commands() end
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function ms(n)
              return string.format('%d', n)
            end
            """;

    /** Fencing: the caller owns the record and it is in progress; otherwise the script answers 0. */
    private static final String OWNED = """
            local owned = redis.call('HMGET', KEYS[1], 's', 'o')
            if owned[1] ~= 'IN_PROGRESS' or owned[2] ~= ARGV[1] then
              return 0
            end
            """;

    /**
     * Claim or get. ARGV: owner token, lease (ms), fingerprint (optional). Answers {@code {1, hash...}} when
     * the caller acquired the key, {@code {0, hash...}} with the live record otherwise.
     */
    static final Script CLAIM = new Script("claim", PRELUDE + """
            local existing = redis.call('HGETALL', KEYS[1])
            if #existing > 0 then
              table.insert(existing, 1, 0)
              return existing
            end
            local now = now_ms()
            local expires = ms(now + tonumber(ARGV[2]))
            redis.call('HSET', KEYS[1], 's', 'IN_PROGRESS', 'o', ARGV[1], 'c', ms(now), 'l', expires, 'e', expires)
            if ARGV[3] then
              redis.call('HSET', KEYS[1], 'f', ARGV[3])
            end
            redis.call('PEXPIREAT', KEYS[1], expires)
            -- answer what was written rather than read it back: a lease of a millisecond may already have
            -- ended by the server's clock before the script returns
            local mine = {1, 's', 'IN_PROGRESS', 'o', ARGV[1], 'c', ms(now), 'l', expires, 'e', expires}
            if ARGV[3] then
              table.insert(mine, 'f')
              table.insert(mine, ARGV[3])
            end
            return mine
            """);

    /** Complete. ARGV: owner token, ttl (ms), payload. Answers 1 if completed, 0 if the claim was lost. */
    static final Script COMPLETE = new Script("complete", PRELUDE + OWNED + """
            local expires = ms(now_ms() + tonumber(ARGV[2]))
            redis.call('HSET', KEYS[1], 's', 'COMPLETED', 'e', expires, 'p', ARGV[3])
            redis.call('HDEL', KEYS[1], 'l')
            redis.call('PEXPIREAT', KEYS[1], expires)
            return 1
            """);

    /** Release. ARGV: owner token. Answers 1 if deleted, 0 if the claim was lost. */
    static final Script RELEASE = new Script("release", OWNED + """
            redis.call('DEL', KEYS[1])
            return 1
            """);

    /** Renew. ARGV: owner token, lease (ms). Answers 1 if extended, 0 if the claim was lost. */
    static final Script RENEW = new Script("renew", PRELUDE + OWNED + """
            local expires = ms(now_ms() + tonumber(ARGV[2]))
            redis.call('HSET', KEYS[1], 'l', expires, 'e', expires)
            redis.call('PEXPIREAT', KEYS[1], expires)
            return 1
            """);

    static final Script[] ALL = {CLAIM, COMPLETE, RELEASE, RENEW};

    private RedisScripts() {}

    /** A script with its SHA-1, the name {@code EVALSHA} runs it by. */
    record Script(String name, String source, byte[] bytes, String sha1) {

        Script(String name, String source) {
            this(
                    name,
                    source,
                    source.getBytes(StandardCharsets.UTF_8),
                    RedisScript.of(source).getSha1());
        }

        @Override
        public String toString() {
            return name + " (" + sha1 + ")";
        }
    }
}
