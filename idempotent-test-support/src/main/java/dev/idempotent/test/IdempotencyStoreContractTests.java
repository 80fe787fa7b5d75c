package dev.idempotent.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.IdempotentResult;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ListableIdempotencyStore;
import dev.idempotent.store.RecordStatus;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.ResultCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract every {@link IdempotencyStore} passes, against its real server: claim, in flight,
 * complete, replay, key reuse, release, fencing by owner token, lease expiry and takeover, renewal, ttl
 * expiry, 1 MiB payloads, unicode and maximum-length keys, 32 threads contending for 100 keys (each claimed
 * exactly once), listing (when the store is a {@link ListableIdempotencyStore}), fail-closed and fail-open
 * with the server unreachable, and every returnable type replayed {@code equals()} to the original through
 * the real engine.
 *
 * <p>A store's test is a small subclass that says how to make the store on a running server (and, when it
 * can, a store whose server does not answer):
 *
 * <pre class="code">
 * class MyIdempotencyStoreTest extends IdempotencyStoreContractTests {
 *
 *     &#64;Override
 *     protected IdempotencyStore createStore() {
 *         return new MyIdempotencyStore(client("127.0.0.1", 6380));
 *     }
 *
 *     &#64;Override
 *     protected IdempotencyStore createUnreachableStore() {
 *         return new MyIdempotencyStore(client("127.0.0.1", 1));
 *     }
 * }
 * </pre>
 *
 * <p>Keys are random per test, so a store may keep the records of earlier tests and runs. Some tests wait
 * for a lease or a ttl of {@link #SHORT} to end, so the store must honour durations of a second or two.
 */
public abstract class IdempotencyStoreContractTests {

    protected static final Duration LEASE = Duration.ofSeconds(30);

    protected static final Duration TTL = Duration.ofMinutes(10);

    /** Short enough to watch it end in a test; long enough for a slow machine to act inside it. */
    protected static final Duration SHORT = Duration.ofMillis(1500);

    protected IdempotencyStore store;

    /** A store on the real server, with no records left from earlier tests that could collide. */
    protected abstract IdempotencyStore createStore();

    /** A store configured for a server that does not answer, or {@code null} if the store has no server. */
    protected @Nullable IdempotencyStore createUnreachableStore() {
        return null;
    }

    @BeforeEach
    void setUpStore() {
        store = createStore();
    }

    protected static String key(String name) {
        return "contract:" + name + ":" + UUID.randomUUID();
    }

    protected static String token() {
        return UUID.randomUUID().toString();
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    @Test
    void firstClaimAcquiresAnInProgressRecord() {
        String key = key("first");
        String owner = token();
        Instant before = Instant.now().minusSeconds(5);

        Claim claim = store.claim(key, "fp-1", owner, LEASE);

        assertThat(claim.outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
        assertThat(claim.record().ownerToken()).isEqualTo(owner);
        assertThat(claim.record().status()).isEqualTo(RecordStatus.IN_PROGRESS);
        IdempotencyRecord found = store.find(key).orElseThrow();
        assertThat(found.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(found.fingerprint()).isEqualTo("fp-1");
        assertThat(found.ownerToken()).isEqualTo(owner);
        assertThat(found.leaseExpiresAt()).isAfter(before.plus(LEASE).minusSeconds(1));
        assertThat(found.createdAt()).isAfter(before);
    }

    @Test
    void secondClaimWhileInProgressIsInFlightAndChangesNothing() {
        String key = key("inflight");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);

        Claim second = store.claim(key, "fp-1", token(), LEASE);

        assertThat(second.outcome()).isEqualTo(Claim.Outcome.IN_FLIGHT);
        assertThat(second.record().ownerToken()).isEqualTo(owner);
        assertThat(second.record().leaseExpiresAt()).isNotNull();
        assertThat(store.find(key).orElseThrow().ownerToken()).isEqualTo(owner);
    }

    @Test
    void completedRecordIsReturnedWithItsPayloadAndFingerprint() {
        String key = key("complete");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);

        assertThat(store.complete(key, owner, bytes("result"), TTL)).isTrue();
        Claim replay = store.claim(key, "fp-1", token(), LEASE);

        assertThat(replay.outcome()).isEqualTo(Claim.Outcome.COMPLETED);
        assertThat(replay.record().payload()).isEqualTo(bytes("result"));
        assertThat(replay.record().fingerprint()).isEqualTo("fp-1");
        assertThat(replay.record().expiresAt()).isAfter(Instant.now().plus(TTL).minusSeconds(30));
        assertThat(store.find(key).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void claimWithAnotherFingerprintReturnsTheOriginalFingerprint() {
        String key = key("reuse");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);
        store.complete(key, owner, bytes("result"), TTL);

        Claim other = store.claim(key, "fp-2", token(), LEASE);

        assertThat(other.outcome()).isEqualTo(Claim.Outcome.COMPLETED);
        assertThat(other.record().fingerprint()).isEqualTo("fp-1");
        assertThat(store.find(key).orElseThrow().payload()).isEqualTo(bytes("result"));
    }

    @Test
    void releaseByOwnerFreesTheKey() {
        String key = key("release");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);

        assertThat(store.release(key, owner)).isTrue();

        assertThat(store.find(key)).isEmpty();
        String next = token();
        Claim again = store.claim(key, "fp-2", next, LEASE);
        assertThat(again.outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
        assertThat(again.record().fingerprint()).isEqualTo("fp-2");
    }

    @Test
    void onlyTheOwnerCanReleaseCompleteOrRenew() {
        String key = key("fencing");
        String owner = token();
        String stranger = token();
        store.claim(key, "fp-1", owner, LEASE);

        assertThat(store.release(key, stranger)).isFalse();
        assertThat(store.complete(key, stranger, bytes("theirs"), TTL)).isFalse();
        assertThat(store.renew(key, stranger, LEASE)).isFalse();

        IdempotencyRecord record = store.find(key).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(record.ownerToken()).isEqualTo(owner);
    }

    @Test
    void aCompletedRecordCannotBeReleasedOrCompletedAgain() {
        String key = key("final");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);
        store.complete(key, owner, bytes("first"), TTL);

        assertThat(store.release(key, owner)).isFalse();
        assertThat(store.complete(key, owner, bytes("second"), TTL)).isFalse();
        assertThat(store.renew(key, owner, LEASE)).isFalse();

        assertThat(store.find(key).orElseThrow().payload()).isEqualTo(bytes("first"));
    }

    @Test
    void operationsOnAMissingKeyReportFalse() {
        String key = key("missing");
        assertThat(store.find(key)).isEmpty();
        assertThat(store.complete(key, token(), bytes("x"), TTL)).isFalse();
        assertThat(store.release(key, token())).isFalse();
        assertThat(store.renew(key, token(), LEASE)).isFalse();
        assertThat(store.delete(key)).isFalse();
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheStaleOwnerCannotCompleteOrRelease() throws Exception {
        String key = key("takeover");
        String crashed = token();
        store.claim(key, "fp-1", crashed, SHORT);
        assertThat(store.claim(key, "fp-1", token(), LEASE).outcome()).isEqualTo(Claim.Outcome.IN_FLIGHT);

        sleep(SHORT.plusMillis(700));
        String successor = token();
        Claim takeover = store.claim(key, "fp-1", successor, LEASE);

        assertThat(takeover.outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
        assertThat(takeover.record().ownerToken()).isEqualTo(successor);
        assertThat(store.complete(key, crashed, bytes("stale"), TTL)).isFalse();
        assertThat(store.release(key, crashed)).isFalse();
        assertThat(store.renew(key, crashed, LEASE)).isFalse();
        assertThat(store.complete(key, successor, bytes("fresh"), TTL)).isTrue();
        assertThat(store.find(key).orElseThrow().payload()).isEqualTo(bytes("fresh"));
    }

    @Test
    void anExpiredLeaseCannotBeCompletedByItsOwner() throws Exception {
        String key = key("late");
        String owner = token();
        store.claim(key, "fp-1", owner, SHORT);

        sleep(SHORT.plusMillis(700));

        assertThat(store.complete(key, owner, bytes("late"), TTL)).isFalse();
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void renewalKeepsTheClaimPastItsFirstLease() throws Exception {
        String key = key("renew");
        String owner = token();
        store.claim(key, "fp-1", owner, SHORT);

        for (int i = 0; i < 4; i++) {
            sleep(SHORT.dividedBy(2));
            assertThat(store.renew(key, owner, SHORT)).isTrue();
        }

        assertThat(store.claim(key, "fp-1", token(), LEASE).outcome()).isEqualTo(Claim.Outcome.IN_FLIGHT);
        assertThat(store.find(key).orElseThrow().leaseExpiresAt()).isAfter(Instant.now());
        assertThat(store.complete(key, owner, bytes("done"), TTL)).isTrue();
    }

    @Test
    void aCompletedRecordIsForgottenAfterItsTtl() throws Exception {
        String key = key("ttl");
        String owner = token();
        store.claim(key, "fp-1", owner, LEASE);
        store.complete(key, owner, bytes("result"), SHORT);
        assertThat(store.find(key)).isPresent();

        sleep(SHORT.plusMillis(700));

        assertThat(store.find(key)).isEmpty();
        Claim again = store.claim(key, "fp-2", token(), LEASE);
        assertThat(again.outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
    }

    @Test
    void deleteRemovesARecordInAnyState() {
        String running = key("delete-running");
        String done = key("delete-done");
        String owner = token();
        store.claim(running, "fp", token(), LEASE);
        store.claim(done, "fp", owner, LEASE);
        store.complete(done, owner, bytes("x"), TTL);

        assertThat(store.delete(running)).isTrue();
        assertThat(store.delete(done)).isTrue();

        assertThat(store.find(running)).isEmpty();
        assertThat(store.find(done)).isEmpty();
        assertThat(store.claim(done, "fp", token(), LEASE).outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
    }

    @Test
    void largePayloadsRoundTrip() {
        String key = key("large");
        String owner = token();
        byte[] payload = new byte[1024 * 1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        store.claim(key, "fp", owner, LEASE);

        assertThat(store.complete(key, owner, payload, TTL)).isTrue();

        assertThat(store.claim(key, "fp", token(), LEASE).record().payload()).isEqualTo(payload);
    }

    @Test
    void unicodeKeysAreDistinctAndExact() {
        String base = key("unicode");
        String a = base + ":zürich-東京-🦄";
        String b = base + ":zurich-東京-🦄";
        String ownerA = token();
        store.claim(a, "fp-a", ownerA, LEASE);
        store.complete(a, ownerA, bytes("A"), TTL);

        Claim claimB = store.claim(b, "fp-b", token(), LEASE);

        assertThat(claimB.outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
        assertThat(store.find(a).orElseThrow().payload()).isEqualTo(bytes("A"));
        assertThat(store.find(a).orElseThrow().key()).isEqualTo(a);
    }

    @Test
    void keysUpToTheMaximumLengthAreAccepted() {
        String prefix = key("long") + ":";
        String key = prefix + "x".repeat(store.maxKeyLength() - prefix.length());
        String owner = token();

        assertThat(store.claim(key, "fp", owner, LEASE).isAcquired()).isTrue();
        assertThat(store.complete(key, owner, bytes("ok"), TTL)).isTrue();
        assertThat(store.find(key).orElseThrow().key()).isEqualTo(key);
    }

    @Test
    void everyKeyIsClaimedExactlyOnceUnderContention() throws Exception {
        int threads = 32;
        int keys = 100;
        String base = key("race");
        Map<String, AtomicInteger> acquired = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        String key = base + ":" + k;
                        Claim claim = store.claim(key, "fp", token(), LEASE);
                        if (claim.isAcquired()) {
                            acquired.computeIfAbsent(key, x -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(acquired).hasSize(keys);
        assertThat(acquired.values())
                .allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void listReturnsTheLiveRecordsWithAPrefixInKeyOrder() throws Exception {
        assumeTrue(store instanceof ListableIdempotencyStore, "this store cannot list");
        ListableIdempotencyStore listable = (ListableIdempotencyStore) store;
        String base = key("list");
        String owner = token();
        store.claim(base + ":b", "fp-b", token(), LEASE);
        store.claim(base + ":a", "fp-a", owner, LEASE);
        store.complete(base + ":a", owner, bytes("done"), TTL);
        store.claim(base + ":c-zürich", "fp-c", token(), LEASE);
        store.claim(base + ":expired", "fp", token(), Duration.ofMillis(1));
        store.claim(base + "-sibling", "fp", token(), LEASE);
        store.claim(base + "x:other", "fp", token(), LEASE);
        sleep(Duration.ofMillis(50));

        List<IdempotencyRecord> all = listable.list(base + ":", 10);

        assertThat(all)
                .extracting(IdempotencyRecord::key)
                .containsExactly(base + ":a", base + ":b", base + ":c-zürich");
        assertThat(all.get(0).status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(all.get(0).payload()).isEqualTo(bytes("done"));
        assertThat(all.get(0).fingerprint()).isEqualTo("fp-a");
        assertThat(all.get(1).status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(all.get(1).leaseExpiresAt()).isNotNull();
        assertThat(all.get(1)).isEqualTo(store.find(base + ":b").orElseThrow());
        assertThat(listable.list(base + ":", 2))
                .extracting(IdempotencyRecord::key)
                .containsExactly(base + ":a", base + ":b");
        assertThat(listable.list(base, 10)).hasSize(5);
    }

    @Test
    void listMatchesThePrefixLiterally() {
        assumeTrue(store instanceof ListableIdempotencyStore, "this store cannot list");
        ListableIdempotencyStore listable = (ListableIdempotencyStore) store;
        String base = key("list-literal");
        for (String suffix : new String[] {"ab", "a%", "a_", "a*", "a?", "a[b]", "a\\", "a!"}) {
            store.claim(base + ":" + suffix, "fp", token(), LEASE);
        }

        for (String suffix : new String[] {"a%", "a_", "a*", "a?", "a[b]", "a\\", "a!"}) {
            assertThat(listable.list(base + ":" + suffix, 10))
                    .as(suffix)
                    .extracting(IdempotencyRecord::key)
                    .containsExactly(base + ":" + suffix);
        }
        assertThat(listable.list(base + ":a", 100)).hasSize(8);
        assertThat(listable.list(base + ":b", 100)).isEmpty();
    }

    @Test
    void anUnreachableServerFailsClosedOrOpenWithinTheTimeout() throws Throwable {
        IdempotencyStore unreachable = createUnreachableStore();
        assumeTrue(unreachable != null, "this store has no server to lose");
        AtomicInteger runs = new AtomicInteger();
        IdempotencyRequest request = new IdempotencyRequest(
                "contract",
                unreachable,
                key("down"),
                "fp",
                TTL,
                LEASE,
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                new CountingCodec(),
                "ContractTest.down()");

        long started = System.nanoTime();
        try (IdempotencyEngine closed = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            assertThatThrownBy(() -> closed.execute(request, runs::incrementAndGet))
                    .isInstanceOf(IdempotencyStoreUnavailableException.class);
        }
        assertThat(runs).hasValue(0);
        try (IdempotencyEngine open = new IdempotencyEngine(OnStoreFailure.FAIL_OPEN)) {
            assertThat(open.execute(request, runs::incrementAndGet).outcome())
                    .isEqualTo(IdempotentResult.Outcome.UNPROTECTED);
        }
        assertThat(runs).hasValue(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    /**
     * Every returnable type comes back {@code equals()} to the original through the real engine path:
     * encode, complete, claim, replay, decode ({@code BigDecimal} by {@code equals}, so its scale too).
     */
    @Test
    void everyReturnableTypeIsReplayedEqualToTheOriginal() throws Throwable {
        JsonMapper mapper = JsonMapper.builder().findAndAddModules().build();
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            for (ReplayFidelityCases.Case row : ReplayFidelityCases.all()) {
                @SuppressWarnings("unchecked")
                JsonResultCodec codec = JsonResultCodec.forType(mapper, row.type(), new Class[0], "Fidelity.op()");
                IdempotencyRequest request = new IdempotencyRequest(
                        "fidelity",
                        store,
                        key("fidelity"),
                        "fp",
                        TTL,
                        LEASE,
                        OnInFlight.REJECT,
                        Duration.ofSeconds(1),
                        codec,
                        "Fidelity.op()");
                IdempotentResult<Object> first = engine.execute(request, row::value);
                IdempotentResult<Object> replay = engine.execute(request, () -> {
                    throw new AssertionError("ran again: " + row);
                });

                assertThat(first.value()).as(row.name()).isSameAs(row.value());
                assertThat(replay.outcome()).as(row.name()).isEqualTo(IdempotentResult.Outcome.REPLAYED);
                assertThat(replay.value()).as(row.name()).isEqualTo(row.value());
            }
        }
    }

    private static final class CountingCodec implements ResultCodec {

        @Override
        public byte[] encodeValue(@Nullable Object value) {
            return bytes(String.valueOf(value));
        }

        @Override
        public byte @Nullable [] encodeFailure(Throwable failure) {
            return null;
        }

        @Override
        public Object decode(byte[] payload) {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }
}
