package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.IdempotencyEngine;
import dev.idempotent.support.IdempotencyRequest;
import dev.idempotent.support.JsonResultCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does the store's round trip cost? The same engine calls on each store, one thread, the servers on
 * loopback; Caffeine (in-process) is the baseline:
 * <ul>
 * <li>{@link #replay}: the same key each call: one read that finds the completed record (Redis: the
 * claim script, which answers a live record and writes nothing; a database: one {@code SELECT});</li>
 * <li>{@link #firstExecution}: a new key each call: claim, run, complete (two store steps).</li>
 * </ul>
 * A store whose server is down fails its trial with a message that says so; {@code run.sh} leaves it out.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class StoreRoundTripBenchmark {

    @Param({BenchStores.CAFFEINE, BenchStores.REDIS, BenchStores.POSTGRESQL, BenchStores.MARIADB})
    public String store;

    private BenchStores.Opened opened;

    private IdempotencyEngine engine;

    private JsonResultCodec codec;

    private String fingerprint;

    private IdempotencyRequest replayRequest;

    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        opened = BenchStores.open(store);
        engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);
        codec = Requests.codec(Receipt.class);
        fingerprint = Requests.fingerprint("order-42");
        replayRequest = Requests.request(opened.store(), "replayed", fingerprint, codec);
        Requests.expect(Outcome.EXECUTED, engine.execute(replayRequest, this::operation), "the first call on " + store);
        Requests.expect(Outcome.REPLAYED, engine.execute(replayRequest, this::operation), "a repeated call on " + store);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (engine != null) {
            engine.close();
        }
        if (opened != null) {
            opened.close();
        }
    }

    private Receipt operation() {
        return Workload.receipt(++counter);
    }

    @Benchmark
    public IdempotentResult<Object> replay() throws Throwable {
        return engine.execute(replayRequest, this::operation);
    }

    @Benchmark
    public IdempotentResult<Object> firstExecution() throws Throwable {
        IdempotencyStore target = opened.store();
        return engine.execute(Requests.request(target, "k" + (++counter), fingerprint, codec), this::operation);
    }
}
