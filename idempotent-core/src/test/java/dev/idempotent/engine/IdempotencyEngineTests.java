package dev.idempotent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.store.Claim;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.support.JsonResultCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class IdempotencyEngineTests {

    /** A real store that refuses a key it cannot represent, as the Redis store does. */
    static class PickyStore extends CaffeineIdempotencyStore {
        @Override
        public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
            if (key.contains("bad")) {
                throw new InvalidIdempotencyKeyException("key '" + key + "' cannot be stored");
            }
            return super.claim(key, fingerprint, ownerToken, lease);
        }
    }

    @SuppressWarnings("unchecked")
    private static IdempotencyRequest request(String key) {
        return new IdempotencyRequest(
                "test",
                new PickyStore(),
                key,
                "fp",
                Duration.ofMinutes(1),
                Duration.ofMinutes(1),
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                JsonResultCodec.forType(JsonMapper.builder().build(), String.class, new Class[0], "Test.op()"),
                "Test.op()");
    }

    @Test
    void aKeyTheStoreRejectsIsNeverRunUnprotectedEvenWhenFailOpen() {
        AtomicInteger runs = new AtomicInteger();
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_OPEN)) {
            assertThatThrownBy(() -> engine.execute(request("a-bad-key"), () -> "run " + runs.incrementAndGet()))
                    .isInstanceOf(InvalidIdempotencyKeyException.class);
        }
        assertThat(runs).hasValue(0);
    }

    /** A real store whose renewals of one key hang, as a store call stuck on a lock or a pool would. */
    static class HangingRenewals extends CaffeineIdempotencyStore {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        @Override
        public boolean renew(String key, String ownerToken, Duration lease) {
            if (key.contains("stuck")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.renew(key, ownerToken, lease);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHangingRenewalDoesNotStopTheOtherClaimsFromBeingRenewed() throws Exception {
        HangingRenewals store = new HangingRenewals();
        var codec = JsonResultCodec.forType(JsonMapper.builder().build(), String.class, new Class[0], "Test.op()");
        Duration lease = Duration.ofMillis(300);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            for (String key : new String[] {"stuck", "healthy"}) {
                IdempotencyRequest request = new IdempotencyRequest(
                        "test",
                        store,
                        key,
                        "fp",
                        Duration.ofMinutes(1),
                        lease,
                        OnInFlight.REJECT,
                        Duration.ofSeconds(1),
                        codec,
                        "Test.op()");
                pool.submit(() -> {
                    try {
                        return engine.execute(request, () -> {
                            Thread.sleep(1500);
                            return key;
                        });
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            Thread.sleep(1000);
            assertThat(store.claim("healthy", "fp", "someone-else", lease).outcome())
                    .as("the healthy claim is still renewed")
                    .isEqualTo(Claim.Outcome.IN_FLIGHT);
            store.release.countDown();
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
