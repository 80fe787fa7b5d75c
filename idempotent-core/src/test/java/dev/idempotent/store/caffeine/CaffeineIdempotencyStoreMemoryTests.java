package dev.idempotent.store.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotentResult;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.Keys;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the embedded store really keeps on the heap, measured after full garbage collections: a flood of
 * large results stays within the configured maximum weight, and the weight of a small record is not less
 * than the heap it takes.
 */
class CaffeineIdempotencyStoreMemoryTests {

    private static final JsonMapper MAPPER =
            JsonMapper.builder().findAndAddModules().build();

    private static final long MB = 1024 * 1024;

    record Receipt(String reference, BigDecimal amount, Instant at) {}

    @Test
    void aFloodOfLargeResultsStaysWithinTheMaximumWeight() throws Throwable {
        CaffeineIdempotencyStore store = new CaffeineIdempotencyStore();
        @SuppressWarnings("unchecked")
        JsonResultCodec codec = JsonResultCodec.forType(MAPPER, String.class, new Class[0], "Flood.op()");
        String large = "x".repeat(900 * 1024);
        long before = usedHeapAfterGc();
        int stored = 0;
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            for (int i = 0; i < 1000; i++) {
                String result = large.substring(0, large.length() - 1) + (i % 10);
                IdempotencyRequest request = new IdempotencyRequest(
                        "flood",
                        store,
                        "flood:" + i,
                        "fp",
                        Duration.ofHours(1),
                        Duration.ofMinutes(1),
                        OnInFlight.REJECT,
                        Duration.ofSeconds(1),
                        codec,
                        "Flood.op()");
                IdempotentResult<Object> outcome = engine.execute(request, () -> result);
                assertThat(outcome.outcome()).isEqualTo(IdempotentResult.Outcome.EXECUTED);
            }
        }
        long retained = usedHeapAfterGc() - before;
        for (int i = 0; i < 1000; i++) {
            stored += store.find("flood:" + i).isPresent() ? 1 : 0;
        }
        System.out.printf(
                "flood: 1000 results of 900 KB, %d kept, %.1f MB retained after GC (maximum weight %d MB)%n",
                stored, retained / (double) MB, CaffeineIdempotencyStore.DEFAULT_MAXIMUM_WEIGHT / MB);
        assertThat(stored).as("records kept").isBetween(30, 75);
        assertThat(retained)
                .as("bytes retained after GC")
                .isLessThan(CaffeineIdempotencyStore.DEFAULT_MAXIMUM_WEIGHT + 8 * MB);
    }

    /**
     * The bytes a small completed record takes, as the README states it, and proof that
     * {@link RecordWeigher} does not weigh it lighter than that.
     */
    @Test
    void aSmallRecordWeighsAtLeastTheHeapItTakes() throws Throwable {
        int count = 50_000;
        CaffeineIdempotencyStore store = new CaffeineIdempotencyStore(10 * count, 1024 * MB);
        @SuppressWarnings("unchecked")
        JsonResultCodec codec =
                JsonResultCodec.forType(MAPPER, Receipt.class, new Class[0], "OrderService.place(Order)");
        // half the records first, so that one-time costs (the cache's tables growing, classes loading) are
        // paid before the second half is measured
        fill(store, codec, 0, count);
        long before = usedHeapAfterGc();
        fill(store, codec, count, 2 * count);
        long perRecord = (usedHeapAfterGc() - before) / count;
        IdempotencyRecord sample =
                store.find("OrderService.place:order-" + (100_000 + count)).orElseThrow();
        long chars = RecordWeigher.bytes(sample) - RecordWeigher.RECORD_OVERHEAD_BYTES;
        System.out.printf(
                "small record: %d bytes of heap each (payload %d bytes, key %d, fingerprint %d and token %d"
                        + " characters: %d bytes beyond them), weighed %d%n",
                perRecord,
                sample.payload().length,
                sample.key().length(),
                sample.fingerprint().length(),
                sample.ownerToken().length(),
                perRecord - chars,
                RecordWeigher.bytes(sample));
        assertThat(store.find("OrderService.place:order-100000"))
                .as("nothing evicted")
                .isPresent();
        assertThat(RecordWeigher.bytes(sample)).as("weight of a small record").isGreaterThanOrEqualTo(perRecord);
    }

    /** Completes the records {@code from} to {@code to} as the engine does: a claim, then the encoded result. */
    private static void fill(CaffeineIdempotencyStore store, JsonResultCodec codec, int from, int to) {
        for (int i = from; i < to; i++) {
            String key = "OrderService.place:order-" + (100_000 + i);
            String token = UUID.randomUUID().toString();
            store.claim(key, Keys.sha256Hex("order " + i), token, Duration.ofMinutes(1));
            store.complete(
                    key,
                    token,
                    codec.encodeValue(new Receipt(
                            "R-" + (100_000 + i),
                            new BigDecimal("19.99"),
                            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i))),
                    Duration.ofHours(1));
        }
    }

    /** The heap in use once garbage collection no longer frees anything. */
    static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(50);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 256 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
