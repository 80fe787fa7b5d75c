package dev.idempotent.store.redis;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ListableIdempotencyStore;
import dev.idempotent.store.redis.RedisScripts.Script;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

/**
 * The shared store on Redis: one hash per key; claim, complete, release and renew are each one Lua script
 * run on the server by its SHA ({@code EVALSHA}, sent in full with {@code EVAL} when the server answers
 * {@code NOSCRIPT}); {@link #find} is one {@code HGETALL} and {@link #delete} one {@code DEL}.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 * <li>A claim is atomic: of any number of concurrent callers on any number of instances, exactly one
 * acquires a free key; the others get the live record. Complete, release and renew succeed only for the
 * owner token of an in-progress record (fencing).</li>
 * <li>Records expire by Redis TTL: the key's expiry is the lease end while in progress and the end of the
 * ttl once completed, so an abandoned claim or an old result simply disappears. All times come from the
 * Redis server's clock ({@code TIME}), so application nodes with skewed clocks agree.</li>
 * <li>Each script touches only its one key ({@code KEYS[1]}), so the store works unchanged on Redis
 * Cluster; keys and payloads are binary-safe (keys are UTF-8, payloads raw bytes, up to Redis's bulk limit
 * of 512 MB).</li>
 * <li>Every call is bounded by the connection factory's command timeout (and connect timeout); a failure
 * or timeout is thrown as {@link IdempotencyStoreUnavailableException}, marked transient for connection
 * failures, timeouts and a server that is loading, busy or failing over ({@code LOADING}, {@code BUSY},
 * {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code MASTERDOWN}, {@code READONLY}); the engine retries those,
 * then turns the failure into fail-closed or fail-open.</li>
 * </ul>
 *
 * <h2>What it does not guarantee</h2>
 * <ul>
 * <li>Redis replication is asynchronous: if the primary fails over before a claim (or a completion)
 * reached a replica, the new primary does not know it, and the operation may run again. Redis
 * persistence settings ({@code appendfsync}) have the same effect on a restart. Use the JDBC store when
 * a lost claim is unacceptable.</li>
 * <li>An eviction policy other than {@code noeviction} lets Redis drop records when it runs out of
 * memory; every record has a TTL, so both {@code allkeys-*} and {@code volatile-*} policies can forget a
 * claim or a result. {@link #checkEvictionPolicy()} warns about it.</li>
 * </ul>
 *
 * <p>The store always takes its own connection from the factory ({@link RedisConnectionFactory#getConnection()}),
 * never one bound to the current thread, so it does not join a caller's {@code MULTI} or pipeline; a
 * connection that is pipelined or queueing anyway, or any other empty answer, is an error, never a claim.
 *
 * <p>This class runs the commands and checks the server; {@link RedisRecordMapper} turns a hash into a
 * record. Keys are stored as {@code keyPrefix + key}; {@link #maxKeyLength()} is 1024 characters (the engine
 * hashes longer keys). Requires Redis 5 or later (or a compatible server such as Valkey).
 */
public class RedisIdempotencyStore implements ListableIdempotencyStore {

    /** The default prefix of every Redis key this store writes. */
    public static final String DEFAULT_KEY_PREFIX = "idempotency:";

    /** The longest key accepted, in Java {@code char}s: at most 3 KiB as UTF-8 (plus the prefix), cheap for Redis. */
    public static final int MAX_KEY_LENGTH = 1024;

    private static final Log logger = LogFactory.getLog(RedisIdempotencyStore.class);

    private static final String EVICTION_POLICY = "maxmemory-policy";

    private final RedisRecordMapper mapper = new RedisRecordMapper();

    private final RedisConnectionFactory connectionFactory;

    private final String keyPrefix;

    private final byte[] keyPrefixBytes;

    /** A store whose keys start with {@link #DEFAULT_KEY_PREFIX}. */
    public RedisIdempotencyStore(RedisConnectionFactory connectionFactory) {
        this(connectionFactory, DEFAULT_KEY_PREFIX);
    }

    /**
     * A store whose Redis keys are {@code keyPrefix} followed by the idempotency key.
     *
     * @param connectionFactory the factory, typically Spring Boot's {@code LettuceConnectionFactory}; its
     *     command timeout bounds every call of this store
     * @param keyPrefix prepended to every key, to share a Redis database with other data (may be empty);
     *     on Redis Cluster do not put a hash tag ({@code {...}}) in it, or every record lands in one slot
     */
    public RedisIdempotencyStore(RedisConnectionFactory connectionFactory, String keyPrefix) {
        this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.keyPrefixBytes = utf8(keyPrefix, "key prefix");
    }

    /** The prefix of every Redis key this store writes. */
    public String getKeyPrefix() {
        return keyPrefix;
    }

    @Override
    public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        byte[] leaseMillis = millis(lease, "lease");
        byte[][] args = fingerprint == null
                ? new byte[][] {redisKey(key), utf8(ownerToken), leaseMillis}
                : new byte[][] {redisKey(key), utf8(ownerToken), leaseMillis, utf8(fingerprint)};
        List<?> answer = eval(RedisScripts.CLAIM, key, ReturnType.MULTI, args);
        if (answer.isEmpty() || !(answer.get(0) instanceof Long acquired)) {
            throw new IllegalStateException("Redis answered the claim of key '" + key + "' with " + answer
                    + " instead of a flag and a record; is the server a Redis 5+ compatible one?");
        }
        IdempotencyRecord record = mapper.fromFlatList(key, answer.subList(1, answer.size()));
        if (acquired == 1L) {
            return Claim.acquired(record);
        }
        return Claim.existing(record);
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        Objects.requireNonNull(payload, "payload");
        return flag(eval(RedisScripts.COMPLETE, key, ReturnType.INTEGER,
                redisKey(key), utf8(ownerToken), millis(ttl, "ttl"), payload));
    }

    @Override
    public boolean release(String key, String ownerToken) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        return flag(eval(RedisScripts.RELEASE, key, ReturnType.INTEGER, redisKey(key), utf8(ownerToken)));
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        Objects.requireNonNull(ownerToken, "ownerToken");
        return flag(eval(RedisScripts.RENEW, key, ReturnType.INTEGER,
                redisKey(key), utf8(ownerToken), millis(lease, "lease")));
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        byte[] redisKey = redisKey(key);
        Map<byte[], byte[]> hash = execute("HGETALL", key, connection -> connection.hashCommands().hGetAll(redisKey));
        return hash.isEmpty() ? Optional.empty() : Optional.of(mapper.fromHash(key, hash));
    }

    @Override
    public boolean delete(String key) {
        byte[] redisKey = redisKey(key);
        Long deleted = execute("DEL", key, connection -> connection.keyCommands().del(redisKey));
        return deleted > 0;
    }

    /**
     * {@code SCAN} for {@code keyPrefix + prefix + "*"} (the prefix escaped, so it matches literally), then
     * one {@code HGETALL} per key in key order; keys that expire in between are left out. The scan visits
     * the whole database, so it costs time in proportion to its size: an operator's tool. Not supported on
     * Redis Cluster.
     */
    @Override
    public List<IdempotencyRecord> list(String prefix, int limit) {
        Objects.requireNonNull(prefix, "prefix");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        byte[] pattern = utf8(escapeGlob(keyPrefix + prefix) + "*", "key prefix");
        return execute("SCAN", prefix + "*", connection -> {
            TreeSet<String> keys = new TreeSet<>();
            try (Cursor<byte[]> cursor = connection.keyCommands()
                    .scan(ScanOptions.scanOptions().match(pattern).count(1000).build())) {
                while (cursor.hasNext()) {
                    String key = new String(cursor.next(), StandardCharsets.UTF_8);
                    if (key.startsWith(keyPrefix)) {
                        keys.add(key.substring(keyPrefix.length()));
                    }
                }
            }
            List<IdempotencyRecord> records = new ArrayList<>();
            for (String key : keys) {
                if (records.size() >= limit) {
                    break;
                }
                Map<byte[], byte[]> hash = connection.hashCommands().hGetAll(redisKey(key));
                if (hash != null && !hash.isEmpty()) {
                    try {
                        records.add(mapper.fromHash(key, hash));
                    } catch (IllegalStateException e) {
                        logger.warn("Left out of the listing: " + e.getMessage());
                    }
                }
            }
            return records;
        });
    }

    /** {@code text} as a literal in a Redis glob pattern. */
    static String escapeGlob(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /**
     * Yes: the claim script answers a live record with one {@code HGETALL} on the server and writes nothing,
     * so the engine claims at once: a replay is one {@code EVALSHA}, a first run two.
     */
    @Override
    public boolean claimIsARead() {
        return true;
    }

    /** {@value #MAX_KEY_LENGTH} characters; the engine replaces longer keys by their hash. */
    @Override
    public int maxKeyLength() {
        return MAX_KEY_LENGTH;
    }

    /**
     * Reads the server's {@code maxmemory-policy} and logs a warning when it lets Redis evict records:
     * {@code allkeys-*} policies may drop any key, and {@code volatile-*} policies may drop any key with a
     * TTL, which every record has. An evicted claim or result is silently forgotten and the operation may
     * run again. Meant to be called once at startup; never throws: a server where {@code CONFIG} is
     * disabled (as on several managed services) or that cannot be reached is logged at debug level.
     *
     * @return the policy, or {@code null} if it could not be read
     */
    public String checkEvictionPolicy() {
        Properties config;
        try (RedisConnection connection = connectionFactory.getConnection()) {
            config = connection.serverCommands().getConfig(EVICTION_POLICY);
        } catch (RuntimeException e) {
            if (logger.isDebugEnabled()) {
                logger.debug("Could not read the Redis " + EVICTION_POLICY + " (CONFIG may be disabled on this"
                        + " server); make sure it is noeviction so that idempotency records are never evicted: " + describe(e));
            }
            return null;
        }
        String policy = null;
        if (config != null) {
            // A cluster connection answers one entry per node, named "host:port.maxmemory-policy".
            for (String name : config.stringPropertyNames()) {
                if (name.equals(EVICTION_POLICY) || name.endsWith("." + EVICTION_POLICY)) {
                    String value = config.getProperty(name);
                    if (policy == null || evicts(value)) {
                        policy = value;
                    }
                }
            }
        }
        if (policy == null) {
            logger.debug("Redis did not report its " + EVICTION_POLICY + "; make sure it is noeviction");
        } else if (evicts(policy)) {
            logger.warn("Redis " + EVICTION_POLICY + " is " + policy + ": when Redis reaches its maxmemory it may"
                    + " evict idempotency records (keys '" + keyPrefix + "*', each with a TTL), silently forgetting"
                    + " claims and results so that operations run twice. Set " + EVICTION_POLICY + " to noeviction,"
                    + " or use a Redis instance dedicated to idempotency records that never fills up.");
        } else if (logger.isDebugEnabled()) {
            logger.debug("Redis " + EVICTION_POLICY + " is " + policy + "; idempotency records are not evicted");
        }
        return policy;
    }

    @Override
    public String toString() {
        return "RedisIdempotencyStore[keyPrefix=" + keyPrefix + "]";
    }

    private static boolean evicts(String policy) {
        return policy != null && (policy.startsWith("allkeys-") || policy.startsWith("volatile-"));
    }

    /** Runs {@code script} by SHA, sending its source once if the server does not know it yet. */
    private <T> T eval(Script script, String key, ReturnType returnType, byte[]... keyAndArgs) {
        return execute("the " + script.name() + " script", key, connection -> {
            try {
                return connection.scriptingCommands().evalSha(script.sha1(), returnType, 1, keyAndArgs);
            } catch (RuntimeException e) {
                if (!isNoScript(e)) {
                    throw e;
                }
                if (logger.isDebugEnabled()) {
                    logger.debug("Redis does not know the " + script + " script yet; sending it");
                }
                // EVAL also caches the script on the node that runs it, so the next EVALSHA finds it.
                return connection.scriptingCommands().eval(script.bytes(), returnType, 1, keyAndArgs);
            }
        });
    }

    /**
     * Runs one command on a connection of the store's own, turning every failure into
     * {@link IdempotencyStoreUnavailableException} and an empty answer into an {@link IllegalStateException}.
     */
    private <T> T execute(String what, String key, Function<RedisConnection, T> command) {
        RedisConnection connection;
        try {
            connection = connectionFactory.getConnection();
        } catch (RuntimeException e) {
            throw unavailable("get a connection to run " + what, key, e);
        }
        T answer;
        try {
            if (connection.isPipelined() || connection.isQueueing()) {
                throw new IllegalStateException("The Redis connection for idempotency key '" + key + "' is "
                        + (connection.isPipelined() ? "pipelined" : "in a MULTI transaction") + ", so " + what
                        + " would not answer; the idempotency store needs plain connections from " + connectionFactory);
            }
            try {
                answer = command.apply(connection);
            } catch (RuntimeException e) {
                throw unavailable("run " + what, key, e);
            }
        } finally {
            try {
                connection.close();
            } catch (RuntimeException e) {
                logger.debug("Could not close a Redis connection of the idempotency store", e);
            }
        }
        if (answer == null) {
            throw new IllegalStateException("Redis gave no answer to " + what + " for idempotency key '" + key
                    + "': the connection is pipelined or in a MULTI transaction (or wrapped in something that"
                    + " defers commands), so the idempotency store cannot tell what happened to the key");
        }
        return answer;
    }

    private static IdempotencyStoreUnavailableException unavailable(String what, String key, RuntimeException e) {
        return new IdempotencyStoreUnavailableException("Redis failed to " + what + " for idempotency key '" + key
                + "': " + describe(e), e, TransientRedisFailures.isTransient(e));
    }

    /** The exception and, when it wraps others, its root cause, which usually says what really went wrong. */
    private static String describe(Throwable e) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    private static boolean isNoScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static boolean flag(Long answer) {
        return answer == 1L;
    }

    private byte[] redisKey(String key) {
        byte[] encoded = utf8(Objects.requireNonNull(key, "key"), "key");
        byte[] redisKey = new byte[keyPrefixBytes.length + encoded.length];
        System.arraycopy(keyPrefixBytes, 0, redisKey, 0, keyPrefixBytes.length);
        System.arraycopy(encoded, 0, redisKey, keyPrefixBytes.length, encoded.length);
        return redisKey;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Strict UTF-8: a lone surrogate would otherwise become '?' and two keys could share a record. */
    private static byte[] utf8(String text, String what) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer buffer = encoder.encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new InvalidIdempotencyKeyException("The idempotency " + what + " '" + text + "' is not valid"
                    + " Unicode (it has an unpaired surrogate character), so it cannot be stored in Redis", e);
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
