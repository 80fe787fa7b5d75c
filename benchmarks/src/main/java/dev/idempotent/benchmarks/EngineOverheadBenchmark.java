package dev.idempotent.benchmarks;

import dev.idempotent.IdempotencyOptions;
import dev.idempotent.IdempotencyTemplate;
import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.JsonResultCodec;
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
 * What does idempotency cost on the embedded store? The baseline {@link #direct} calls a small operation
 * (build a {@link Receipt}); the others run the same operation through the {@link IdempotencyEngine} (as the
 * aspect does, with a request built once) and through the public {@link IdempotencyTemplate} (which also
 * qualifies the key and fingerprints the call every time), on a {@link CaffeineIdempotencyStore}:
 * <ul>
 * <li>first execution: a new key each call, so claim, run, encode and complete (and start and stop the
 * lease renewal); past 100,000 keys the store evicts on every call, as a busy service's would;</li>
 * <li>replay: the same key each call, so the claim finds the completed record and its payload is decoded.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class EngineOverheadBenchmark {

    private static final IdempotencyOptions OPTIONS =
            IdempotencyOptions.named(Requests.NAME).ttl(Requests.TTL).lease(Requests.LEASE);

    private static final String TEMPLATE_KEY = "template-replayed";

    private CaffeineIdempotencyStore store;

    private IdempotencyEngine engine;

    private IdempotencyTemplate template;

    private JsonResultCodec codec;

    private String fingerprint;

    private IdempotencyRequest replayRequest;

    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        store = new CaffeineIdempotencyStore();
        engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);
        template = new IdempotencyTemplate(engine, store, Requests.MAPPER, IdempotencyDefaults.STANDARD, null);
        codec = Requests.codec(Receipt.class);
        fingerprint = Requests.fingerprint("order-42");
        replayRequest = Requests.request(store, "replayed", fingerprint, codec);
        Requests.expect(Outcome.EXECUTED, engine.execute(replayRequest, this::operation), "the first engine call");
        Requests.expect(Outcome.REPLAYED, engine.execute(replayRequest, this::operation), "a repeated engine call");
        // the template fingerprints its options (none here), not "order-42": a key of its own
        Requests.expect(
                Outcome.EXECUTED,
                template.execute(TEMPLATE_KEY, OPTIONS, Receipt.class, this::operation),
                "the first template call");
        Requests.expect(
                Outcome.REPLAYED,
                template.execute(TEMPLATE_KEY, OPTIONS, Receipt.class, this::operation),
                "a repeated template call");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    /** The protected operation. */
    private Receipt operation() {
        return Workload.receipt(++counter);
    }

    @Benchmark
    public Receipt direct() {
        return operation();
    }

    @Benchmark
    public IdempotentResult<Object> engineFirstExecution() throws Throwable {
        return engine.execute(Requests.request(store, "k" + (++counter), fingerprint, codec), this::operation);
    }

    @Benchmark
    public IdempotentResult<Object> engineReplay() throws Throwable {
        return engine.execute(replayRequest, this::operation);
    }

    @Benchmark
    public IdempotentResult<Receipt> templateFirstExecution() {
        return template.execute("t" + (++counter), OPTIONS, Receipt.class, this::operation);
    }

    @Benchmark
    public IdempotentResult<Receipt> templateReplay() {
        return template.execute(TEMPLATE_KEY, OPTIONS, Receipt.class, this::operation);
    }
}
