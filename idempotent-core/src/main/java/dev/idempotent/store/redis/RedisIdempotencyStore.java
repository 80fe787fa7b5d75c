package dev.idempotent.store.redis;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.ListableIdempotencyStore;
import dev.idempotent.store.redis.RedisScripts.Script;
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
import org.jspecify.annotations.Nullable;
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

    private final RedisConnectionFactory connectionFactory;

    private final String keyPrefix;

    private final RedisRecords format;

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
        this.format = new RedisRecords(keyPrefix);
    }

    /** The prefix of every Redis key this store writes. */
    public String getKeyPrefix() {
        return keyPrefix;
    }

    @Override
    public Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        return RedisRecords.claim(
                key,
                eval(RedisScripts.CLAIM, key, ReturnType.MULTI, format.claimArgs(key, fingerprint, ownerToken, lease)));
    }

    @Override
    public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        return RedisRecords.flag(eval(
                RedisScripts.COMPLETE, key, ReturnType.INTEGER, format.completeArgs(key, ownerToken, payload, ttl)));
    }

    @Override
    public boolean release(String key, String ownerToken) {
        return RedisRecords.flag(
                eval(RedisScripts.RELEASE, key, ReturnType.INTEGER, format.releaseArgs(key, ownerToken)));
    }

    @Override
    public boolean renew(String key, String ownerToken, Duration lease) {
        return RedisRecords.flag(
                eval(RedisScripts.RENEW, key, ReturnType.INTEGER, format.renewArgs(key, ownerToken, lease)));
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        byte[] redisKey = format.redisKey(key);
        Map<byte[], byte[]> hash =
                execute("HGETALL", key, connection -> connection.hashCommands().hGetAll(redisKey));
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RedisRecordMapper.INSTANCE.fromHash(key, hash));
    }

    @Override
    public boolean delete(String key) {
        byte[] redisKey = format.redisKey(key);
        Long deleted =
                execute("DEL", key, connection -> connection.keyCommands().del(redisKey));
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
        byte[] pattern = RedisRecords.utf8(escapeGlob(keyPrefix + prefix) + "*", "key prefix");
        return execute("SCAN", prefix + "*", connection -> {
            TreeSet<String> keys = new TreeSet<>();
            try (Cursor<byte[]> cursor = connection
                    .keyCommands()
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
                Map<byte[], byte[]> hash = connection.hashCommands().hGetAll(format.redisKey(key));
                if (hash != null && !hash.isEmpty()) {
                    try {
                        records.add(RedisRecordMapper.INSTANCE.fromHash(key, hash));
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
    public @Nullable String checkEvictionPolicy() {
        Properties config;
        try (RedisConnection connection = connectionFactory.getConnection()) {
            config = connection.serverCommands().getConfig(EVICTION_POLICY);
        } catch (RuntimeException e) {
            if (logger.isDebugEnabled()) {
                logger.debug("Could not read the Redis " + EVICTION_POLICY + " (CONFIG may be disabled on this"
                        + " server); make sure it is noeviction so that idempotency records are never evicted: "
                        + RedisRecords.describe(e));
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
                if (!RedisRecords.isNoScript(e)) {
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
            throw RedisRecords.unavailable("get a connection to run " + what, key, e);
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
                throw RedisRecords.unavailable("run " + what, key, e);
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
}
