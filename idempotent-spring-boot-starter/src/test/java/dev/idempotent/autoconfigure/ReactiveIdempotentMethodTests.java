package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.RecordStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Every rule of {@code @Idempotent} on methods that return a {@code Mono} or a {@code Flux}, observed with
 * {@link StepVerifier} through a real application context on the embedded store.
 */
@SpringBootTest(
        classes = ReactiveIdempotentMethodTests.Application.class,
        properties = {"idempotency.store=caffeine", "idempotency.reactive.max-elements=3"})
class ReactiveIdempotentMethodTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    Shop shop;

    @Autowired
    IdempotencyStore store;

    private final String id = UUID.randomUUID().toString();

    record Receipt(String orderId, int number) {}

    @Test
    void theKeyIsClaimedWhenTheMonoIsSubscribedNotWhenTheMethodIsCalled() {
        Mono<Receipt> first = shop.charge(id);

        assertThat(shop.runs(id)).isZero();
        assertThat(store.find("Shop.charge:" + id)).isEmpty();

        StepVerifier.create(first)
                .expectNext(new Receipt(id, 1))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(store.find("Shop.charge:" + id))
                .get()
                .extracting(r -> r.status())
                .isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void aMonoRunsOncePerKeyAndRepeatsReplayAnEqualFreshValue() {
        Receipt first = shop.charge(id).block(TIMEOUT);
        Mono<Receipt> repeat = shop.charge(id);

        StepVerifier.create(repeat)
                .assertNext(replayed -> assertThat(replayed).isEqualTo(first).isNotSameAs(first))
                .expectComplete()
                .verify(TIMEOUT);
        // each subscription is a call: subscribing to the same Mono again replays too
        StepVerifier.create(repeat).expectNext(first).expectComplete().verify(TIMEOUT);
        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void anEmptyMonoIsStoredAndReplayedEmpty() {
        StepVerifier.create(shop.nothing(id)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(shop.nothing(id)).expectComplete().verify(TIMEOUT);

        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void aFluxIsStoredWhenItCompletesAndReplayedAsAFluxOfFreshCopies() {
        List<Receipt> first = shop.lines(id, 3).collectList().block(TIMEOUT);

        List<Receipt> replayed = new ArrayList<>();
        StepVerifier.create(shop.lines(id, 3))
                .recordWith(() -> replayed)
                .expectNextCount(3)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(replayed).isEqualTo(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(replayed.get(i)).isNotSameAs(first.get(i));
        }
        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void aFluxLongerThanMaxElementsReachesItsSubscriberWholeButIsNotStored() {
        StepVerifier.create(shop.lines(id, 4))
                .expectNextCount(4)
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(shop.lines(id, 4))
                .expectNextCount(4)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(shop.runs(id)).isEqualTo(2);
        assertThat(store.find("Shop.lines:" + id)).isEmpty();
    }

    @Test
    void anErrorReleasesTheKeySoARepeatRunsAgain() {
        StepVerifier.create(shop.failing(id)).expectErrorMessage("declined 1").verify(TIMEOUT);
        StepVerifier.create(shop.failing(id)).expectErrorMessage("declined 2").verify(TIMEOUT);

        assertThat(shop.runs(id)).isEqualTo(2);
    }

    @Test
    void anErrorOfStoreExceptionsIsStoredAndReplayedAsTheSameError() {
        StepVerifier.create(shop.declined(id))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("declined 1"))
                .verify(TIMEOUT);
        StepVerifier.create(shop.declined(id))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("declined 1"))
                .verify(TIMEOUT);

        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void cancellingWhileItRunsReleasesTheKey() {
        Sinks.One<Receipt> never = shop.gate(id);
        StepVerifier.create(shop.held(id))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(50))
                .thenCancel()
                .verify(TIMEOUT);

        awaitGone("Shop.held:" + id);
        never.tryEmitValue(new Receipt(id, 0));
        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void aRepeatInFlightIsAnErrorAndTheFirstStillCompletes() {
        Sinks.One<Receipt> gate = shop.gate(id);
        Mono<Receipt> first = shop.held(id).cache();
        first.subscribe();
        awaitRuns(id, 1);

        StepVerifier.create(shop.held(id))
                .expectError(IdempotencyInFlightException.class)
                .verify(TIMEOUT);

        gate.tryEmitValue(new Receipt(id, 7));
        StepVerifier.create(first)
                .expectNext(new Receipt(id, 7))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(shop.held(id))
                .expectNext(new Receipt(id, 7))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void skipGivesAnEmptyMonoWhileTheKeyIsInFlight() {
        Sinks.One<Receipt> gate = shop.gate(id);
        Mono<Receipt> first = shop.skipping(id).cache();
        first.subscribe();
        awaitRuns(id, 1);

        StepVerifier.create(shop.skipping(id)).expectComplete().verify(TIMEOUT);

        gate.tryEmitValue(new Receipt(id, 3));
        StepVerifier.create(first)
                .expectNext(new Receipt(id, 3))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void waitWaitsOnATimerWithoutHoldingTheSubscribingThreadAndThenReplays() {
        Sinks.One<Receipt> gate = shop.gate(id);
        shop.waiting(id).subscribe();
        awaitRuns(id, 1);

        List<String> threads = new CopyOnWriteArrayList<>();
        List<Receipt> received = new CopyOnWriteArrayList<>();
        // subscribe() returns at once: the waiting repeat holds no thread while it waits
        shop.waiting(id).subscribe(receipt -> {
            threads.add(Thread.currentThread().getName());
            received.add(receipt);
        });
        assertThat(received).isEmpty();

        gate.tryEmitValue(new Receipt(id, 9));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (received.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(received).containsExactly(new Receipt(id, 9));
        assertThat(threads).allSatisfy(thread -> assertThat(thread).startsWith("parallel-"));
        assertThat(shop.runs(id)).isEqualTo(1);
    }

    @Test
    void theSameKeyWithOtherArgumentsIsKeyReuse() {
        shop.priced(id, 10).block(TIMEOUT);

        StepVerifier.create(shop.priced(id, 11))
                .expectError(IdempotencyKeyReuseException.class)
                .verify(TIMEOUT);
    }

    @Test
    void sixtyFourConcurrentSubscriptionsOnOneKeyRunTheMethodOnce() {
        Mono<Receipt> call = shop.slow(id);
        List<Receipt> receipts = Flux.range(0, 64)
                .flatMap(i -> call.subscribeOn(Schedulers.parallel()), 64)
                .collectList()
                .block(TIMEOUT);

        assertThat(shop.runs(id)).isEqualTo(1);
        assertThat(receipts)
                .hasSize(64)
                .allSatisfy(receipt -> assertThat(receipt).isEqualTo(new Receipt(id, 1)));
    }

    @Test
    void aMonoOrFluxWithoutItsElementTypeStopsTheStartup() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        IdempotencyAutoConfiguration.class,
                        org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class))
                .withBean(RawMono.class)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(IdempotencyConfigurationException.class)
                        .hasMessageContaining("RawMono.charge(String) returns a Mono without its element type"));
    }

    public static class RawMono {

        @SuppressWarnings("rawtypes")
        @Idempotent(key = "#id")
        public Mono charge(String id) {
            return Mono.just(id);
        }
    }

    private void awaitRuns(String id, int runs) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (shop.runs(id) < runs && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(shop.runs(id)).isEqualTo(runs);
    }

    private void awaitGone(String key) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (store.find(key).isPresent() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(store.find(key)).isEmpty();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Shop.class)
    static class Application {}

    @Component
    public static class Shop {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        private final Map<String, Sinks.One<Receipt>> gates = new ConcurrentHashMap<>();

        int runs(String id) {
            AtomicInteger count = runs.get(id);
            return count == null ? 0 : count.get();
        }

        private int run(String id) {
            return runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        Sinks.One<Receipt> gate(String id) {
            return gates.computeIfAbsent(id, k -> Sinks.one());
        }

        @Idempotent(key = "#id")
        public Mono<Receipt> charge(String id) {
            return Mono.fromSupplier(() -> new Receipt(id, run(id)));
        }

        @Idempotent(key = "#id")
        public Mono<Void> nothing(String id) {
            return Mono.fromRunnable(() -> run(id));
        }

        @Idempotent(key = "#id")
        public Flux<Receipt> lines(String id, int count) {
            return Flux.defer(() -> {
                int run = run(id);
                return Flux.range(1, count).map(i -> new Receipt(id + "/" + i, run));
            });
        }

        @Idempotent(key = "#id")
        public Mono<Receipt> failing(String id) {
            return Mono.defer(() -> Mono.error(new IllegalArgumentException("declined " + run(id))));
        }

        @Idempotent(key = "#id", storeExceptions = IllegalStateException.class)
        public Mono<Receipt> declined(String id) {
            return Mono.defer(() -> Mono.error(new IllegalStateException("declined " + run(id))));
        }

        @Idempotent(key = "#id")
        public Mono<Receipt> held(String id) {
            return Mono.defer(() -> {
                run(id);
                return gate(id).asMono();
            });
        }

        @Idempotent(key = "#id", onInFlight = OnInFlight.SKIP)
        public Mono<Receipt> skipping(String id) {
            return Mono.defer(() -> {
                run(id);
                return gate(id).asMono();
            });
        }

        @Idempotent(key = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "10s")
        public Mono<Receipt> waiting(String id) {
            return Mono.defer(() -> {
                run(id);
                return gate(id).asMono();
            });
        }

        @Idempotent(key = "#id")
        public Mono<Receipt> priced(String id, int cents) {
            return Mono.fromSupplier(() -> new Receipt(id, run(id)));
        }

        @Idempotent(key = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "10s")
        public Mono<Receipt> slow(String id) {
            return Mono.fromSupplier(() -> new Receipt(id, run(id))).delayElement(Duration.ofMillis(100));
        }
    }
}
