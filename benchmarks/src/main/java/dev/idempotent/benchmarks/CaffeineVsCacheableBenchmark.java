package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
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

/**
 * The embedded store against Spring's own cache, in one Spring context ({@link SpringBench}), throughput of all
 * threads together (run it with {@code -t 1} and {@code -t 8}):
 * <ul>
 * <li>baselines: a {@code @Cacheable} method on {@code CaffeineCacheManager}, {@link #cacheableHit} (the same
 * key each call) and {@link #cacheableMiss} (a new key each call: look up, run, put);</li>
 * <li>ours as a user has it, through the Spring proxy of an {@code @Idempotent} method that does the same work:
 * {@link #proxyReplay} (the same, completed key: key expression, fingerprint, one read, decode) and
 * {@link #proxyFirstRun} (a new key: read, claim, run, encode, complete);</li>
 * <li>the engine alone, with a request built once for a replay and per call for a first run, as
 * {@link StoreRoundTripBenchmark} and the other stores' benchmarks call it: {@link #engineReplay},
 * {@link #engineFirstRun}.</li>
 * </ul>
 * The store and the cache are shared by all threads, as in an application.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class CaffeineVsCacheableBenchmark {

    private EngineOnStore ours;

    private SpringBench spring;

    private SpringBench.Orders orders;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        CaffeineIdempotencyStore store = new CaffeineIdempotencyStore();
        ours = new EngineOnStore(store, "the embedded store");
        spring = new SpringBench(store, ours.engine());
        orders = spring.orders();
        orders.place(SpringBench.HIT);
        orders.cachedPlace(SpringBench.HIT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (spring != null) {
            spring.close();
        }
        if (ours != null) {
            ours.close();
        }
    }

    @Benchmark
    public Receipt cacheableHit() {
        return orders.cachedPlace(SpringBench.HIT);
    }

    @Benchmark
    public Receipt cacheableMiss(FreshKeys keys) {
        return orders.cachedPlace(keys.next());
    }

    @Benchmark
    public Receipt proxyReplay() {
        return orders.place(SpringBench.HIT);
    }

    @Benchmark
    public Receipt proxyFirstRun(FreshKeys keys) {
        return orders.place(keys.next());
    }

    @Benchmark
    public IdempotentResult<Object> engineReplay() throws Throwable {
        return ours.replay();
    }

    @Benchmark
    public IdempotentResult<Object> engineFirstRun(FreshKeys keys) throws Throwable {
        return ours.firstRun(keys.next());
    }
}
