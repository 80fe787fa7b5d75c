package dev.idempotent.metrics;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes what the engine does to Micrometer:
 * <ul>
 * <li>{@code idempotency.calls} (counter), tagged {@code name} (the namespace) and {@code outcome}
 * ({@code executed}, {@code replayed}, {@code in_flight}, {@code key_reuse}, {@code failed},
 * {@code store_error} (the store failed and the call was rejected), {@code skipped}, {@code unprotected}
 * (the call ran without protection: fail-open after a store failure, or a message without the id that
 * listener deduplication keys it by));</li>
 * <li>{@code idempotency.store.operations} (timer), tagged {@code store} ({@code caffeine},
 * {@code redis}, {@code jdbc}), {@code operation} ({@code claim}, {@code complete}, {@code release},
 * {@code renew}, {@code find}) and {@code result} ({@code success}, {@code error});</li>
 * <li>{@code idempotency.store.retries} (counter), tagged {@code store} and {@code step}: store steps tried
 * again after a transient failure;</li>
 * <li>{@code idempotency.completions.abandoned} (counter), tagged {@code name}: outcomes given up after the
 * store failed for the whole completion retry timeout (the operation may run again).</li>
 * </ul>
 * The gauge {@code idempotency.completions.pending} (outcomes waiting for the store) is bound by
 * {@link #bindPendingCompletions}.
 */
public class MicrometerIdempotencyListener implements IdempotencyListener {

    public static final String CALLS = "idempotency.calls";

    public static final String STORE_OPERATIONS = "idempotency.store.operations";

    public static final String STORE_RETRIES = "idempotency.store.retries";

    public static final String COMPLETIONS_ABANDONED = "idempotency.completions.abandoned";

    public static final String COMPLETIONS_PENDING = "idempotency.completions.pending";

    private final MeterRegistry registry;

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerIdempotencyListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onCall(String name, CallOutcome outcome) {
        counters.computeIfAbsent(
                        name + '\u0000' + outcome,
                        k -> Counter.builder(CALLS)
                                .description("Calls of idempotent operations, by how they ended")
                                .tag("name", name)
                                .tag("outcome", outcome.tag())
                                .register(registry))
                .increment();
    }

    @Override
    public void onStoreOperation(String store, String operation, long nanos, boolean success) {
        String result = success ? "success" : "error";
        timers.computeIfAbsent(
                        store + '\u0000' + operation + '\u0000' + result,
                        k -> Timer.builder(STORE_OPERATIONS)
                                .description("Time taken by idempotency store operations")
                                .tag("store", store)
                                .tag("operation", operation)
                                .tag("result", result)
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onStoreRetry(String store, String operation) {
        counters.computeIfAbsent(
                        "retry\u0000" + store + '\u0000' + operation,
                        k -> Counter.builder(STORE_RETRIES)
                                .description("Idempotency store steps tried again after a transient failure")
                                .tag("store", store)
                                .tag("step", operation)
                                .register(registry))
                .increment();
    }

    @Override
    public void onCompletionAbandoned(String name) {
        counters.computeIfAbsent(
                        "abandoned\u0000" + name,
                        k -> Counter.builder(COMPLETIONS_ABANDONED)
                                .description(
                                        "Outcomes given up after the store failed for the whole completion retry timeout")
                                .tag("name", name)
                                .register(registry))
                .increment();
    }

    /** Registers the gauge {@code idempotency.completions.pending} of {@code engine}. */
    public static void bindPendingCompletions(IdempotencyEngine engine, MeterRegistry registry) {
        Gauge.builder(COMPLETIONS_PENDING, engine, IdempotencyEngine::pendingCompletions)
                .description("Outcomes of idempotent operations waiting for the store to come back")
                .register(registry);
    }
}
