package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.store.Claim;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class IdempotencyEngineTest {

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
        return new IdempotencyRequest("test", new PickyStore(), key, "fp", Duration.ofMinutes(1), Duration.ofMinutes(1),
                OnInFlight.REJECT, Duration.ofSeconds(1),
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
}
