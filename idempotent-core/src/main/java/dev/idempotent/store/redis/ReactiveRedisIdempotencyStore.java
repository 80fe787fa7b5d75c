package dev.idempotent.store.redis;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.store.redis.RedisScripts.Script;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Redis store for reactive callers, on a {@link ReactiveRedisConnectionFactory} (Spring Boot's
 * {@code LettuceConnectionFactory} is one): no step waits on a thread. It runs the same Lua scripts
 * ({@link RedisScripts}, by SHA with {@code EVALSHA}, sent with {@code EVAL} when the server answers
 * {@code NOSCRIPT}) and reads and writes the same record format as {@link RedisIdempotencyStore}, so both
 * stores, with the same key prefix, share their keys: a blocking and a reactive method, or two applications,
 * protect one operation together. Everything {@link RedisIdempotencyStore} says about guarantees, expiry,
 * server time, Redis Cluster and timeouts holds here too.
 */
public class ReactiveRedisIdempotencyStore implements ReactiveIdempotencyStore {

    private static final Log logger = LogFactory.getLog(ReactiveRedisIdempotencyStore.class);

    private final ReactiveRedisConnectionFactory connectionFactory;

    private final String keyPrefix;

    private final RedisRecords format;

    /**
     * The one reactive connection of the store, taken from the factory on the bounded elastic scheduler when
     * first needed and kept: taking one locks the factory and may connect and wait for Redis, which must never
     * happen on an event-loop thread. Lettuce reconnects it by itself; a failure to take it is tried again by
     * the next step.
     */
    private final Mono<ReactiveRedisConnection> connection;

    /** A store whose keys start with {@link RedisIdempotencyStore#DEFAULT_KEY_PREFIX}. */
    public ReactiveRedisIdempotencyStore(ReactiveRedisConnectionFactory connectionFactory) {
        this(connectionFactory, RedisIdempotencyStore.DEFAULT_KEY_PREFIX);
    }

    /**
     * @param connectionFactory the factory; its command timeout bounds every step
     * @param keyPrefix prepended to every key (as for {@link RedisIdempotencyStore}: the same prefix shares keys)
     */
    public ReactiveRedisIdempotencyStore(ReactiveRedisConnectionFactory connectionFactory, String keyPrefix) {
        this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.format = new RedisRecords(keyPrefix);
        this.connection = Mono.fromSupplier(connectionFactory::getReactiveConnection)
                .subscribeOn(Schedulers.boundedElastic())
                .cacheInvalidateIf(taken -> false);
    }

    /** The prefix of every Redis key this store writes. */
    public String getKeyPrefix() {
        return keyPrefix;
    }

    @Override
    public Mono<Claim> claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease) {
        return eval(
                        RedisScripts.CLAIM,
                        key,
                        ReturnType.MULTI,
                        () -> format.claimArgs(key, fingerprint, ownerToken, lease))
                .map(answer -> RedisRecords.claim(key, answer));
    }

    @Override
    public Mono<Boolean> complete(String key, String ownerToken, byte[] payload, Duration ttl) {
        return flag(eval(
                RedisScripts.COMPLETE,
                key,
                ReturnType.INTEGER,
                () -> format.completeArgs(key, ownerToken, payload, ttl)));
    }

    @Override
    public Mono<Boolean> release(String key, String ownerToken) {
        return flag(eval(RedisScripts.RELEASE, key, ReturnType.INTEGER, () -> format.releaseArgs(key, ownerToken)));
    }

    @Override
    public Mono<Boolean> renew(String key, String ownerToken, Duration lease) {
        return flag(eval(RedisScripts.RENEW, key, ReturnType.INTEGER, () -> format.renewArgs(key, ownerToken, lease)));
    }

    @Override
    public Mono<IdempotencyRecord> find(String key) {
        return execute(
                        "HGETALL",
                        key,
                        connection -> connection
                                .hashCommands()
                                .hGetAll(ByteBuffer.wrap(format.redisKey(key)))
                                .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                .flatMap(hash ->
                        hash.isEmpty() ? Mono.empty() : Mono.just(RedisRecordMapper.INSTANCE.fromHash(key, hash)));
    }

    @Override
    public Mono<Boolean> delete(String key) {
        return execute("DEL", key, connection -> connection.keyCommands().del(ByteBuffer.wrap(format.redisKey(key))))
                .map(deleted -> deleted > 0);
    }

    /** Yes, as for {@link RedisIdempotencyStore#claimIsARead()}: a replay is one {@code EVALSHA}. */
    @Override
    public boolean claimIsARead() {
        return true;
    }

    @Override
    public int maxKeyLength() {
        return RedisIdempotencyStore.MAX_KEY_LENGTH;
    }

    @Override
    public String toString() {
        return "ReactiveRedisIdempotencyStore[keyPrefix=" + keyPrefix + "]";
    }

    private static Mono<Boolean> flag(Mono<List<Object>> answer) {
        return answer.map(elements -> RedisRecords.flag(elements.size() == 1 ? elements.get(0) : elements));
    }

    /**
     * Runs {@code script} by SHA, sending its source once if the server does not know it yet; answers its
     * reply as a list (one element for an integer reply). The arguments are made per attempt.
     */
    private Mono<List<Object>> eval(Script script, String key, ReturnType returnType, Supplier<byte[][]> keyAndArgs) {
        return execute(
                "the " + script.name() + " script",
                key,
                connection -> Mono.defer(() -> connection
                                .scriptingCommands()
                                .<Object>evalSha(script.sha1(), returnType, 1, buffers(keyAndArgs.get()))
                                .collectList())
                        .onErrorResume(RedisRecords::isNoScript, e -> {
                            if (logger.isDebugEnabled()) {
                                logger.debug("Redis does not know the " + script + " script yet; sending it");
                            }
                            return connection
                                    .scriptingCommands()
                                    .<Object>eval(
                                            ByteBuffer.wrap(script.bytes()), returnType, 1, buffers(keyAndArgs.get()))
                                    .collectList();
                        })
                        .map(ReactiveRedisIdempotencyStore::flatten));
    }

    /** A multi-bulk reply may come as its elements or as one list of them. */
    private static List<Object> flatten(List<Object> reply) {
        if (reply.size() == 1 && reply.get(0) instanceof List<?> nested) {
            return List.copyOf(nested);
        }
        return reply;
    }

    private static ByteBuffer[] buffers(byte[][] values) {
        ByteBuffer[] buffers = new ByteBuffer[values.length];
        for (int i = 0; i < values.length; i++) {
            buffers[i] = ByteBuffer.wrap(values[i]);
        }
        return buffers;
    }

    /**
     * Runs one command on the store's connection, turning every failure of
     * Redis into {@link IdempotencyStoreUnavailableException} and no answer into an {@link IllegalStateException}.
     * Bad arguments (an invalid key) are signalled as they are.
     */
    private <T> Mono<T> execute(String what, String key, Function<ReactiveRedisConnection, Mono<T>> command) {
        return connection
                .onErrorMap(e -> RedisRecords.unavailable("get a connection to run " + what, key, e))
                .flatMap(taken -> Mono.defer(() -> command.apply(taken))
                        .onErrorMap(
                                e -> !(e instanceof IllegalArgumentException) && !(e instanceof IdempotencyException),
                                e -> RedisRecords.unavailable("run " + what, key, e)))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                        "Redis gave no answer to " + what + " for idempotency key '" + key + "'")));
    }
}
