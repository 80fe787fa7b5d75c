package dev.idempotent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.engine.StoreRetry;
import dev.idempotent.store.Claim;
import dev.idempotent.store.DelegatingIdempotencyStore;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault-injection suite every shared store passes: a {@link FaultProxy} sits between the engine's store
 * and the real server, and a fault is injected at a chosen moment of a call (at claim, while the operation
 * runs, at completion, at release, at renewal). For each moment and fault the suite asserts that the
 * operation ran exactly once, that each caller got its own result, that the record ends completed with the
 * first run's result once the server is back, and that the application recovers without a restart.
 *
 * <p>A store's test is a small subclass that makes a store whose connections go through the proxy.
 */
public abstract class AbstractStoreFaultTests {

    /** Long enough that no fault below outlasts it: runs-once is then the promise. */
    static final Duration LEASE = Duration.ofSeconds(30);

    static final Duration TTL = Duration.ofMinutes(10);

    /** Longer than the retry budget, so the outcome has to wait in the background for the store. */
    static final Duration OUTAGE = Duration.ofSeconds(3);

    /** At renewal: the lease, and an outage that ends in time for the second renewal to keep the claim. */
    static final Duration RENEWAL_LEASE = Duration.ofMillis(4500);

    static final Duration RENEWAL_OUTAGE = Duration.ofMillis(1500);

    /** Each step is retried for 1 s at most, so that an outage of {@link #OUTAGE} outlasts it. */
    static final StoreRetry RETRY =
            new StoreRetry(8, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1));

    /** Callers at once, each with its own key: no one may get another's result. */
    static final int CALLERS = 3;

    /** Where in a call the fault strikes. */
    enum Moment {
        CLAIM,
        RUNNING,
        COMPLETION,
        RELEASE,
        RENEWAL
    }

    /** What the fault is. */
    enum Fault {
        /** Every open connection is reset (a server restart, a failover, a proxy's idle timeout). */
        DROP_ALL,
        /** The server refuses connections for {@link #OUTAGE}, and every open connection is reset. */
        OUTAGE,
        /** Nothing passes for {@link #OUTAGE}; bytes sent meanwhile are lost. */
        BLACK_HOLE,
        /**
         * The server gets the step and does it, but its answer is lost (for {@link #LOST_ANSWERS}, then the
         * connection is reset): the retried step must recognise its own earlier success.
         */
        LOSE_ANSWERS
    }

    /** Shorter than the retry budget, so that the step is retried after its answer was lost. */
    static final Duration LOST_ANSWERS = Duration.ofMillis(500);

    protected FaultProxy proxy;

    private IdempotencyStore store;

    private IdempotencyEngine engine;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final ExecutorService callers = Executors.newCachedThreadPool();

    private final Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();

    private final AtomicInteger abandoned = new AtomicInteger();

    /** The host and port of the real server. */
    protected abstract String serverHost();

    protected abstract int serverPort();

    /**
     * A store on the server reached at 127.0.0.1:{@code port} (the proxy), whose client gives up on an
     * unanswered call within about a second.
     */
    protected abstract IdempotencyStore createStore(int port);

    /** Closes what {@link #createStore} opened. */
    protected abstract void closeStore(IdempotencyStore store);

    @BeforeEach
    void startProxy() {
        proxy = new FaultProxy(serverHost(), serverPort());
        store = createStore(proxy.port());
        engine = newEngine();
    }

    @AfterEach
    void stopProxy() {
        try {
            proxy.pass();
            engine.close();
            closeStore(store);
        } finally {
            proxy.close();
            timer.shutdownNow();
            callers.shutdownNow();
        }
    }

    private IdempotencyEngine newEngine() {
        IdempotencyEngine created = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED, new IdempotencyListener() {
            @Override
            public void onStoreRetry(String storeName, String operation) {
                retries.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void onCompletionAbandoned(String name) {
                abandoned.incrementAndGet();
            }
        });
        created.setStoreRetry(RETRY);
        created.setCompletionRetryTimeout(Duration.ofMinutes(1));
        return created;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fault.class)
    void faultAtClaim(Fault fault) throws Exception {
        runScenario(Moment.CLAIM, fault);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Fault.class,
            names = {"DROP_ALL", "OUTAGE", "BLACK_HOLE"})
    void faultWhileRunning(Fault fault) throws Exception {
        runScenario(Moment.RUNNING, fault);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fault.class)
    void faultAtCompletion(Fault fault) throws Exception {
        runScenario(Moment.COMPLETION, fault);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Fault.class,
            names = {"DROP_ALL", "OUTAGE", "BLACK_HOLE"})
    void faultAtRelease(Fault fault) throws Exception {
        runScenario(Moment.RELEASE, fault);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Fault.class,
            names = {"DROP_ALL", "OUTAGE"})
    void faultAtRenewal(Fault fault) throws Exception {
        runScenario(Moment.RENEWAL, fault);
    }

    @Test
    void aPoolWhoseConnectionsAreAllStaleClaimsAtOnce() throws Throwable {
        // every pooled connection is used once, then dropped while idle: the next claim meets only dead ones
        for (int i = 0; i < 3; i++) {
            engine.execute(request(key("warm"), Moment.CLAIM), () -> "warm");
        }
        proxy.dropAll();
        AtomicInteger runs = new AtomicInteger();
        String key = key("stale");
        IdempotentResult<Object> first =
                engine.execute(request(key, Moment.CLAIM), () -> "ran-" + runs.incrementAndGet());
        assertThat(first.outcome()).isEqualTo(Outcome.EXECUTED);
        assertThat(engine.execute(request(key, Moment.CLAIM), () -> "ran-" + runs.incrementAndGet())
                        .value())
                .isEqualTo("ran-1");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aClaimThatOutlastsTheRetriesFailsClosedAndTheKeyIsFreeOnceTheServerIsBack() throws Throwable {
        proxy.refuse();
        AtomicInteger runs = new AtomicInteger();
        String key = key("down");
        assertThatThrownBy(() -> engine.execute(request(key, Moment.CLAIM), runs::incrementAndGet))
                .isInstanceOf(IdempotencyStoreUnavailableException.class);
        assertThat(runs).hasValue(0);
        proxy.pass();
        await("the key to be free once the server is back", () -> engine.pendingCompletions() == 0);
        assertThat(engine.execute(request(key, Moment.CLAIM), runs::incrementAndGet)
                        .outcome())
                .isEqualTo(Outcome.EXECUTED);
        assertThat(runs).hasValue(1);
        assertThat(retries)
                .as("the first step (the read, or the claim where it is the read) was retried")
                .isNotEmpty();
    }

    /**
     * {@link #CALLERS} calls at once, each with its own key, with {@code fault} injected at {@code moment} of
     * the first of them to get there; then each key is called again once the server is back.
     */
    private void runScenario(Moment moment, Fault fault) throws Exception {
        AtomicBoolean struck = new AtomicBoolean();
        Duration outage = moment == Moment.RENEWAL ? RENEWAL_OUTAGE : OUTAGE;
        Runnable strike = () -> {
            if (struck.compareAndSet(false, true)) {
                inject(fault, outage);
            }
        };
        IdempotencyStore faulty = new FaultAt(store, moment, strike);
        List<String> keys = new ArrayList<>();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<Future<Object>> firstCalls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            String key = key(moment + "-" + fault + "-" + i);
            keys.add(key);
            runs.put(key, new AtomicInteger());
            firstCalls.add(callers.submit(
                    () -> call(faulty, key, moment, runs.get(key), moment == Moment.RUNNING ? strike : null)));
        }
        List<Object> firstResults = new ArrayList<>();
        for (Future<Object> call : firstCalls) {
            firstResults.add(call.get(60, TimeUnit.SECONDS));
        }
        assertThat(struck).as("the fault was injected").isTrue();

        proxy.pass();
        await("every pending outcome to be stored once the server is back", () -> engine.pendingCompletions() == 0);

        for (int i = 0; i < CALLERS; i++) {
            String key = keys.get(i);
            Object first = firstResults.get(i);
            if (first instanceof IdempotencyStoreUnavailableException) {
                // a caller that was claiming when the fault struck may fail, and then it did not run: once the
                // server is back its claim is released (not left to the lease) and a retry runs it
                assertThat(runs.get(key))
                        .as("runs of " + key + " whose claim failed")
                        .hasValue(0);
                await("the failed claim to be released", () -> find(key).isEmpty());
                first = call(store, key, moment, runs.get(key), null);
            }
            if (first instanceof String result) {
                assertThat(result).as("each caller gets its own result").startsWith(key + "#");
            }
            if (moment == Moment.RELEASE) {
                // the operation failed: its key is released (not left to the lease) and a retry runs it again
                assertThat(first).isInstanceOf(IllegalStateException.class);
                await("the failed key to be released", () -> find(key).isEmpty());
                assertThat(call(store, key, Moment.CLAIM, runs.get(key), null)).isEqualTo(key + "#2");
                assertThat(runs.get(key)).hasValue(2);
                continue;
            }
            assertThat(first).as("the first call's result").isEqualTo(key + "#1");
            IdempotencyRecord record = find(key).orElseThrow();
            assertThat(record.isCompleted())
                    .as("record of " + key + " is completed: " + record)
                    .isTrue();
            assertThat(new String(record.payload(), StandardCharsets.UTF_8)).isEqualTo(key + "#1");
            assertThat(call(store, key, Moment.CLAIM, runs.get(key), null))
                    .as("the replay")
                    .isEqualTo(key + "#1");
            assertThat(runs.get(key)).as("runs of " + key).hasValue(1);
        }
        assertThat(abandoned).hasValue(0);

        // the application recovers without a restart
        String fresh = key("after-" + moment + "-" + fault);
        AtomicInteger freshRuns = new AtomicInteger();
        assertThat(call(store, fresh, Moment.CLAIM, freshRuns, null)).isEqualTo(fresh + "#1");
    }

    /** One call of the operation under {@code key}: its result, or what it threw. */
    private Object call(IdempotencyStore target, String key, Moment moment, AtomicInteger runs, Runnable strike) {
        IdempotencyRequest request = new IdempotencyRequest(
                "faults",
                target,
                key,
                "fp",
                TTL,
                moment == Moment.RENEWAL ? RENEWAL_LEASE : LEASE,
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                new TextCodec(),
                "FaultTest.op()");
        try {
            return engine.execute(request, () -> {
                        int run = runs.incrementAndGet();
                        if (strike != null) {
                            strike.run();
                            Thread.sleep(200);
                        }
                        if (moment == Moment.RENEWAL && run == 1) {
                            Thread.sleep(RENEWAL_LEASE.toMillis() - 500);
                        }
                        if (moment == Moment.RELEASE && run == 1) {
                            throw new IllegalStateException("the operation failed");
                        }
                        return key + "#" + run;
                    })
                    .value();
        } catch (Throwable e) {
            return e;
        }
    }

    private IdempotencyRequest request(String key, Moment moment) {
        return new IdempotencyRequest(
                "faults",
                store,
                key,
                "fp",
                TTL,
                LEASE,
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                new TextCodec(),
                "FaultTest.op()");
    }

    private void inject(Fault fault, Duration outage) {
        switch (fault) {
            case DROP_ALL -> proxy.dropAll();
            case OUTAGE -> {
                proxy.refuse();
                timer.schedule(proxy::pass, outage.toMillis(), TimeUnit.MILLISECONDS);
            }
            case BLACK_HOLE -> {
                proxy.blackHole();
                timer.schedule(proxy::pass, outage.toMillis(), TimeUnit.MILLISECONDS);
            }
            case LOSE_ANSWERS -> {
                proxy.loseAnswers();
                timer.schedule(proxy::pass, LOST_ANSWERS.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private Optional<IdempotencyRecord> find(String key) {
        for (int attempt = 1; ; attempt++) {
            try {
                return store.find(key);
            } catch (IdempotencyStoreUnavailableException e) {
                if (attempt >= 10) {
                    throw e;
                }
                sleep(200);
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String key(String name) {
        return "faults:" + name + ":" + UUID.randomUUID();
    }

    /** Injects the fault just before the first call of the step that {@code moment} names. */
    private static final class FaultAt extends DelegatingIdempotencyStore {

        private final Moment moment;

        private final Runnable strike;

        FaultAt(IdempotencyStore delegate, Moment moment, Runnable strike) {
            super(delegate);
            this.moment = moment;
            this.strike = strike;
        }

        @Override
        public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
            if (moment == Moment.CLAIM) {
                strike.run();
            }
            return super.claim(key, fingerprint, ownerToken, lease);
        }

        @Override
        public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
            if (moment == Moment.COMPLETION) {
                strike.run();
            }
            return super.complete(key, ownerToken, payload, ttl);
        }

        @Override
        public boolean release(String key, String ownerToken) {
            if (moment == Moment.RELEASE) {
                strike.run();
            }
            return super.release(key, ownerToken);
        }

        @Override
        public boolean renew(String key, String ownerToken, Duration lease) {
            if (moment == Moment.RENEWAL) {
                strike.run();
            }
            return super.renew(key, ownerToken, lease);
        }
    }
}
