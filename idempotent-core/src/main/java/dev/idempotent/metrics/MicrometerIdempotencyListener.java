package dev.idempotent.metrics;

import dev.idempotent.support.IdempotencyListener;
import io.micrometer.core.instrument.Counter;
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
 * {@code store_error}, {@code skipped});</li>
 * <li>{@code idempotency.store.operations} (timer), tagged {@code store} ({@code caffeine},
 * {@code redis}, {@code jdbc}), {@code operation} ({@code claim}, {@code complete}, {@code release},
 * {@code renew}) and {@code result} ({@code success}, {@code error}).</li>
 * </ul>
 */
public class MicrometerIdempotencyListener implements IdempotencyListener {

    public static final String CALLS = "idempotency.calls";

    public static final String STORE_OPERATIONS = "idempotency.store.operations";

    private final MeterRegistry registry;

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerIdempotencyListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onCall(String name, CallOutcome outcome) {
        counters.computeIfAbsent(name + '\u0000' + outcome, k -> Counter.builder(CALLS)
                .description("Calls of idempotent operations, by how they ended")
                .tag("name", name).tag("outcome", outcome.tag()).register(registry)).increment();
    }

    @Override
    public void onStoreOperation(String store, String operation, long nanos, boolean success) {
        String result = success ? "success" : "error";
        timers.computeIfAbsent(store + '\u0000' + operation + '\u0000' + result, k -> Timer.builder(STORE_OPERATIONS)
                .description("Time taken by idempotency store operations")
                .tag("store", store).tag("operation", operation).tag("result", result).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
