package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
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

    private EngineOnStore ours;

    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        opened = BenchStores.open(store);
        ours = new EngineOnStore(opened.store(), store);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ours != null) {
            ours.close();
        }
        if (opened != null) {
            opened.close();
        }
    }

    @Benchmark
    public IdempotentResult<Object> replay() throws Throwable {
        return ours.replay();
    }

    @Benchmark
    public IdempotentResult<Object> firstExecution() throws Throwable {
        return ours.firstRun("k" + (++counter));
    }
}
