package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;

/**
 * The Redis store against a plain {@code GET} through the same {@link RedisConnectionFactory} (Lettuce, one
 * shared native connection), throughput of all threads together (run it with {@code -t 1}, {@code -t 8} and
 * {@code -t 64}):
 * <ul>
 * <li>baseline: {@link #rawGet}, a {@code GET} of an existing key whose value is the stored result of a replay,
 * the connection taken from and given back to the factory as the store does;</li>
 * <li>a diagnostic baseline, {@link #rawHashGet}: an {@code HGETALL} of the store's own hash of the replayed key,
 * which tells the cost of the wider command apart from the engine's and the store's own work;</li>
 * <li>ours, through the engine with a request as the aspect builds it: {@link #replay} (the same, completed
 * key: one {@code EVALSHA} of the claim script, which answers a live record and writes nothing) and
 * {@link #firstRun} (a new key: claim script, run, encode, complete script).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class RedisVsRawBenchmark {

    private BenchStores.Opened opened;

    private RedisConnectionFactory factory;

    private EngineOnStore ours;

    private byte[] rawKey;

    private byte[] recordKey;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        opened = BenchStores.open(BenchStores.REDIS);
        factory = opened.redis();
        ours = new EngineOnStore(opened.store(), "Redis");
        byte[] payload = ours.storedPayload();
        rawKey = ("idempotency-bench-raw:"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()))
                .getBytes(StandardCharsets.UTF_8);
        try (RedisConnection connection = factory.getConnection()) {
            connection.stringCommands().set(rawKey, payload, Expiration.from(Requests.TTL), SetOption.upsert());
        }
        recordKey = (((RedisIdempotencyStore) opened.store()).getKeyPrefix() + ours.replayKey())
                .getBytes(StandardCharsets.UTF_8);
        if (rawHashGet().isEmpty()) {
            throw new IllegalStateException("The store's hash of the replayed key is not in Redis");
        }
        if (rawGet() == null) {
            throw new IllegalStateException("The raw baseline could not read back its key from Redis");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ours != null) {
            ours.close();
        }
        if (opened != null) {
            try (RedisConnection connection = factory.getConnection()) {
                connection.keyCommands().del(rawKey);
            } finally {
                opened.close();
            }
        }
    }

    @Benchmark
    public byte[] rawGet() {
        try (RedisConnection connection = factory.getConnection()) {
            return connection.stringCommands().get(rawKey);
        }
    }

    @Benchmark
    public Map<byte[], byte[]> rawHashGet() {
        try (RedisConnection connection = factory.getConnection()) {
            return connection.hashCommands().hGetAll(recordKey);
        }
    }

    @Benchmark
    public IdempotentResult<Object> replay() throws Throwable {
        return ours.replay();
    }

    @Benchmark
    public IdempotentResult<Object> firstRun(FreshKeys keys) throws Throwable {
        return ours.firstRun(keys.next());
    }
}
