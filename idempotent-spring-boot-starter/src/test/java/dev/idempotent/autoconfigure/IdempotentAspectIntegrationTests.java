package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.autoconfigure.AspectTestApplication.Declined;
import dev.idempotent.autoconfigure.AspectTestApplication.Inner;
import dev.idempotent.autoconfigure.AspectTestApplication.Invoice;
import dev.idempotent.autoconfigure.AspectTestApplication.Jobs;
import dev.idempotent.autoconfigure.AspectTestApplication.Ledger;
import dev.idempotent.autoconfigure.AspectTestApplication.MutableOrder;
import dev.idempotent.autoconfigure.AspectTestApplication.Order;
import dev.idempotent.autoconfigure.AspectTestApplication.Orders;
import dev.idempotent.autoconfigure.AspectTestApplication.Outer;
import dev.idempotent.autoconfigure.AspectTestApplication.Payments;
import dev.idempotent.autoconfigure.AspectTestApplication.Receipt;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.RecordStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** Every semantic of {@code @Idempotent}, observed through a real application context and store. */
@SpringBootTest(classes = AspectTestApplication.class, properties = "idempotency.store=caffeine")
class IdempotentAspectIntegrationTests {

    @Autowired
    Orders orders;

    @Autowired
    Payments payments;

    @Autowired
    Jobs jobs;

    @Autowired
    Ledger ledger;

    @Autowired
    Outer outer;

    @Autowired
    Inner inner;

    @Autowired
    FaultyStore store;

    @Autowired
    @Qualifier("archiveStore")
    IdempotencyStore archiveStore;

    @AfterEach
    void healStore() {
        store.heal();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    // 1 and 2: run once, then replay an equal, fresh value

    @Test
    void firstCallRunsAndRepeatsReplayAnEqualFreshValue() {
        Order order = new Order(id(), "book", 1);
        Receipt first = orders.place(order);
        Receipt second = orders.place(order);
        Receipt third = orders.place(new Order(order.id(), "book", 1));

        assertThat(second).isEqualTo(first).isNotSameAs(first);
        assertThat(third).isEqualTo(first);
        assertThat(orders.runs()).isEqualTo(first.number());
        assertThat(store.find("Orders.place:" + order.id()))
                .get()
                .extracting(IdempotencyRecord::status)
                .isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void genericCollectionsAndMapsAreReplayedWithTheirElementTypes() {
        String id = id();
        List<Order> list = orders.list(id);
        int runs = orders.runs();
        List<Order> replayed = orders.list(id);
        assertThat(replayed).isEqualTo(list).isNotSameAs(list);
        assertThat(replayed.get(0)).isInstanceOf(Order.class);

        Map<String, Order> map = orders.map(id);
        Map<String, Order> replayedMap = orders.map(id);
        assertThat(replayedMap).isEqualTo(map);
        assertThat(replayedMap.get("first")).isInstanceOf(Order.class);
        assertThat(orders.runs()).isEqualTo(runs + 1);
    }

    @Test
    void optionalsPrimitivesBoxedStringsAndPojosAreReplayed() {
        String present = id();
        String absent = id();
        assertThat(orders.optional(present, true))
                .isEqualTo(orders.optional(present, true))
                .isPresent();
        assertThat(orders.optional(absent, false))
                .isEqualTo(orders.optional(absent, false))
                .isEmpty();

        String p = id();
        assertThat(orders.primitive(p)).isEqualTo(orders.primitive(p));
        String b = id();
        assertThat(orders.boxed(b)).isEqualTo(orders.boxed(b));
        String t = id();
        assertThat(orders.text(t)).isEqualTo(orders.text(t));

        String i = id();
        Invoice invoice = orders.invoice(i);
        Invoice again = orders.invoice(i);
        assertThat(again).isEqualTo(invoice).isNotSameAs(invoice);
        again.getLines().add("changed by the caller");
        assertThat(orders.invoice(i).getLines()).containsExactly("line 1", "line 2");
    }

    @Test
    void voidMethodsRunOnce() {
        String id = id();
        int before = orders.runs();
        orders.sideEffect(id);
        orders.sideEffect(id);
        orders.sideEffect(id);
        assertThat(orders.runs()).isEqualTo(before + 1);
    }

    @Test
    void responseEntitiesAreReplayedWithStatusHeadersAndBody() {
        String id = id();
        ResponseEntity<Order> first = orders.entity(id);
        ResponseEntity<Order> second = orders.entity(id);
        assertThat(second.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(second.getHeaders().getLocation()).hasToString("/orders/" + id);
        assertThat(second.getHeaders().getFirst("X-Run"))
                .isEqualTo(first.getHeaders().getFirst("X-Run"));
        assertThat(second.getBody()).isEqualTo(first.getBody());
    }

    @Test
    void completableFuturesAreStoredWhenTheyComplete() throws Exception {
        String id = id();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Receipt> first = orders.async(id, gate);
        assertThat(first).isNotDone();
        assertThatThrownBy(() -> orders.async(id, gate)).isInstanceOf(IdempotencyInFlightException.class);

        gate.complete(null);
        Receipt receipt = first.get(5, TimeUnit.SECONDS);
        awaitStatus("Orders.async:" + id, RecordStatus.COMPLETED);
        CompletableFuture<Receipt> replay = orders.async(id, new CompletableFuture<>());
        assertThat(replay).isCompleted();
        assertThat(replay.get()).isEqualTo(receipt).isNotSameAs(receipt);
    }

    @Test
    void aRepeatMadeAsSoonAsTheFutureCompletesIsAReplay() throws Exception {
        String id = id();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Receipt> first = orders.async(id, gate);
        CompletableFuture<Receipt> repeat = first.thenCompose(r -> orders.async(id, new CompletableFuture<>()));
        gate.complete(null);
        assertThat(repeat.get(5, TimeUnit.SECONDS)).isEqualTo(first.get());
    }

    @Test
    void keyExpressionsSeeBeansRootAndPositionalArguments() {
        String id = id();
        assertThat(orders.withBean(id)).isEqualTo(orders.withBean(id));
        assertThat(store.find("Orders.withBean:tenant-7:withBean:" + id)).isPresent();
    }

    @Test
    void withoutAKeyExpressionAllArgumentsMakeTheKey() {
        int before = orders.runs();
        assertThat(orders.add(2, 3)).isEqualTo(5);
        assertThat(orders.add(2, 3)).isEqualTo(5);
        assertThat(orders.add(3, 2)).isEqualTo(5);
        assertThat(orders.runs()).isEqualTo(before + 2);
    }

    @Test
    void namesSeparateMethodsAndASharedNameSharesKeys() {
        String id = id();
        String a = orders.sharedA(id);
        assertThat(orders.sharedA(id)).isEqualTo(a);
        // same name and same arguments: the second method replays the first one's result
        assertThat(orders.sharedB(id)).isEqualTo(a);
        // different names: Orders.text and Orders.withBean never see each other's keys
        assertThat(orders.text(id)).isNotEqualTo(a);
    }

    @Test
    void aNamedStoreIsUsedForItsMethod() {
        String id = id();
        orders.archived(id);
        assertThat(archiveStore.find("Orders.archived:" + id)).isPresent();
        assertThat(store.find("Orders.archived:" + id)).isEmpty();
    }

    @Test
    void ttlFromAPlaceholderEndsTheReplay() throws Exception {
        String id = id();
        String first = orders.shortLived(id);
        assertThat(orders.shortLived(id)).isEqualTo(first);
        Thread.sleep(1300);
        assertThat(orders.shortLived(id)).isNotEqualTo(first);
    }

    // 3: key reuse

    @Test
    void sameKeyWithOtherArgumentsIsAKeyReuseErrorNeverAReplay() {
        String id = id();
        orders.place(new Order(id, "book", 1));
        int runs = orders.runs();

        assertThatThrownBy(() -> orders.place(new Order(id, "car", 1)))
                .isInstanceOf(IdempotencyKeyReuseException.class)
                .hasMessageContaining("Orders.place:" + id)
                .hasMessageContaining("other arguments");
        assertThat(orders.runs()).isEqualTo(runs);
        assertThat(orders.place(new Order(id, "book", 1)).orderId()).isEqualTo(id);
    }

    // 4: in flight

    @Test
    void aRepeatWhileInFlightIsRejectedWithTheLeaseEnd() throws Exception {
        String id = id();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> jobs.reject(id, release));
            awaitStatus("Jobs.reject:" + id, RecordStatus.IN_PROGRESS);
            // well past the 300ms lease: renewal keeps the claim alive
            Thread.sleep(900);
            assertThatThrownBy(() -> jobs.reject(id, release))
                    .isInstanceOfSatisfying(IdempotencyInFlightException.class, e -> {
                        assertThat(e.getKey()).isEqualTo("Jobs.reject:" + id);
                        assertThat(e.getLeaseExpiresAt()).isNotNull();
                    })
                    .hasMessageContaining("already running")
                    .hasMessageContaining("lease ends at");
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("done " + id);
            assertThat(jobs.reject(id, release)).isEqualTo("done " + id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void waitingCallersReplayTheFirstRunsResult() throws Exception {
        String id = id();
        int before = jobs.runs();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = pool.submit(() -> jobs.await(id, 800));
            awaitStatus("Jobs.await:" + id, RecordStatus.IN_PROGRESS);
            Future<String> second = pool.submit(() -> jobs.await(id, 800));
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(first.get(10, TimeUnit.SECONDS));
            assertThat(jobs.runs()).isEqualTo(before + 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaiterThatTimesOutThrowsAndLeavesTheOwnerAlone() throws Exception {
        String id = id();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> jobs.awaitBriefly(id, release));
            awaitStatus("Jobs.awaitBriefly:" + id, RecordStatus.IN_PROGRESS);
            String owner = store.find("Jobs.awaitBriefly:" + id).orElseThrow().ownerToken();

            assertThatThrownBy(() -> jobs.awaitBriefly(id, release))
                    .isInstanceOf(IdempotencyInFlightException.class)
                    .hasMessageContaining("after waiting PT0.3S");

            assertThat(store.find("Jobs.awaitBriefly:" + id).orElseThrow().ownerToken())
                    .isEqualTo(owner);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(store.find("Jobs.awaitBriefly:" + id).orElseThrow().status())
                    .isEqualTo(RecordStatus.COMPLETED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaiterRunsTheOperationWhenTheFirstRunFails() throws Exception {
        String id = id();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int before = jobs.runs();
            Future<String> first = pool.submit(() -> jobs.awaitFailing(id, release));
            awaitStatus("Jobs.awaitFailing:" + id, RecordStatus.IN_PROGRESS);
            Future<String> second = pool.submit(() -> jobs.awaitFailing(id, release));
            Thread.sleep(100);
            release.countDown();
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(second.get(10, TimeUnit.SECONDS)).startsWith("run ");
            assertThat(jobs.runs()).isEqualTo(before + 2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void skipReturnsWithoutRunning() throws Exception {
        String id = id();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            int before = jobs.runs();
            Future<?> first = pool.submit(() -> {
                jobs.nightly(id, release);
                return null;
            });
            awaitStatus("Jobs.nightly:" + id, RecordStatus.IN_PROGRESS);
            jobs.nightly(id, release);
            jobs.nightly(id, release);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            jobs.nightly(id, release);
            assertThat(jobs.runs()).isEqualTo(before + 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sixteenThreadsOnOneKeyRunTheMethodExactlyOnce() throws Exception {
        String id = id();
        int before = jobs.runs();
        int threads = 24;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return jobs.await(id, 300);
                }));
            }
            start.countDown();
            Set<String> distinct = new HashSet<>();
            for (Future<String> result : results) {
                distinct.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(jobs.runs()).isEqualTo(before + 1);
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    // 5: invalid keys

    @Test
    void aNullOrBlankKeyIsRejectedAndTheMethodDoesNotRun() {
        int before = orders.runs();
        assertThatThrownBy(() -> orders.place(new Order(null, "book", 1)))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("'#order.id'")
                .hasMessageContaining("Orders.place(Order)")
                .hasMessageContaining("returned null");
        assertThatThrownBy(() -> orders.place(new Order("  ", "book", 1)))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> orders.place(null))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("'#order.id'");
        assertThat(orders.runs()).isEqualTo(before);
    }

    @Test
    void longKeysAreHashedNotTruncated() {
        String prefix = "p".repeat(2000);
        String a = orders.text(prefix + "a");
        String b = orders.text(prefix + "b");
        assertThat(orders.text(prefix + "a")).isEqualTo(a);
        assertThat(b).isNotEqualTo(a);
    }

    // 6: store failure

    @Test
    void aStoreFailureFailsClosedByDefaultAndTheMethodDoesNotRun() {
        int before = orders.runs();
        store.failClaims = true;
        assertThatThrownBy(() -> orders.text(id())).isInstanceOf(IdempotencyStoreUnavailableException.class);
        assertThat(orders.runs()).isEqualTo(before);
    }

    // 7: exceptions

    @Test
    void storedExceptionsAreRethrownOnReplayOthersReleaseTheKey() {
        String id = id();
        int before = payments.runs();
        assertThatThrownBy(() -> payments.charge(id, 5000))
                .isInstanceOf(Declined.class)
                .hasMessage("declined " + id);
        assertThatThrownBy(() -> payments.charge(id, 5000))
                .isInstanceOf(Declined.class)
                .hasMessage("declined " + id);
        assertThat(payments.runs()).isEqualTo(before + 1);

        String other = id();
        int runs = orders.runs();
        assertThatThrownBy(() -> orders.failing(other)).hasMessage("boom " + (runs + 1));
        assertThatThrownBy(() -> orders.failing(other)).hasMessage("boom " + (runs + 2));
        assertThat(store.find("Orders.failing:" + other)).isEmpty();
    }

    // 8: transactions

    @Test
    void theResultIsRecordedAfterCommitAndARollbackReleasesTheKey() {
        String id = id();
        assertThat(ledger.book(id, false)).isEqualTo("booked " + id);
        assertThat(ledger.statusAtCommit()).isEqualTo("IN_PROGRESS");
        assertThat(store.find("Ledger.book:" + id).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(ledger.book(id, false)).isEqualTo("booked " + id);
        assertThat(ledger.rows(id)).isEqualTo(1);

        String failed = id();
        assertThatThrownBy(() -> ledger.book(failed, true)).hasMessage("rolled back");
        assertThat(ledger.rows(failed)).isZero();
        assertThat(store.find("Ledger.book:" + failed)).isEmpty();
        assertThat(ledger.book(failed, false)).isEqualTo("booked " + failed);
        assertThat(ledger.rows(failed)).isEqualTo(1);
    }

    // 9: only the owner changes its record; the key is the one computed at claim time

    @Test
    void rejectedDuplicatesAndKeyReuseNeverTouchTheOwnersRecord() throws Exception {
        String id = id();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> jobs.reject(id, release));
            awaitStatus("Jobs.reject:" + id, RecordStatus.IN_PROGRESS);
            IdempotencyRecord owners = store.find("Jobs.reject:" + id).orElseThrow();
            assertThatThrownBy(() -> jobs.reject(id, release)).isInstanceOf(IdempotencyInFlightException.class);
            assertThatThrownBy(() -> jobs.reject(id, new CountDownLatch(0))).isInstanceOf(IdempotencyException.class);
            assertThat(store.find("Jobs.reject:" + id).orElseThrow().ownerToken())
                    .isEqualTo(owners.ownerToken());
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(store.find("Jobs.reject:" + id).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void completionUsesTheKeyComputedAtClaimTimeEvenIfArgumentsMutate() {
        String id = id();
        Receipt receipt = orders.placeAndMutate(new MutableOrder(id));
        assertThat(store.find("Orders.placeAndMutate:" + id).orElseThrow().status())
                .isEqualTo(RecordStatus.COMPLETED);
        assertThat(store.find("Orders.placeAndMutate:" + id + "-changed")).isEmpty();
        assertThat(orders.placeAndMutate(new MutableOrder(id))).isEqualTo(receipt);
    }

    // 10: storing fails after the method ran; payload versions

    @Test
    void whenStoringFailsTheCallerGetsTheResultAndTheKeyStaysInFlight() {
        String id = id();
        store.failCompletes = true;
        int before = orders.runs();
        String result = orders.text(id);
        assertThat(result).isEqualTo("run " + (before + 1));
        store.heal();
        assertThatThrownBy(() -> orders.text(id)).isInstanceOf(IdempotencyInFlightException.class);
        assertThat(orders.runs()).isEqualTo(before + 1);
    }

    @Test
    void aPayloadOfAnotherFormatIsRejectedWithAClearMessage() {
        String id = id();
        String key = "Orders.text:" + id;
        String token = UUID.randomUUID().toString();
        String fingerprint = new dev.idempotent.support.Fingerprints(
                        tools.jackson.databind.json.JsonMapper.builder().build())
                .of(new Object[] {id}, "x");
        store.claim(key, fingerprint, token, Duration.ofMinutes(1));
        store.complete(
                key, token, "{\"format\":99,\"value\":\"x\"}".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
        assertThatThrownBy(() -> orders.text(id))
                .isInstanceOf(IdempotencyException.class)
                .hasMessageContaining("payload format 99");
    }

    // 11: nested calls

    @Test
    void nestedIdempotentCallsWork() {
        String id = id();
        String first = outer.process(id);
        assertThat(first).isEqualTo("outer(inner 1,inner 1)".replace("1", String.valueOf(inner.runs())));
        assertThat(outer.process(id)).isEqualTo(first);
        assertThat(outer.runs()).isPositive();
    }

    private void awaitStatus(String key, RecordStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<IdempotencyRecord> record = store.find(key);
            if (record.isPresent() && record.get().status() == status) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("key " + key + " never reached " + status + ": " + store.find(key));
    }
}
