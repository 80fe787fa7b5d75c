package dev.idempotent.store.caffeine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.IdempotencyStoreContractTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaffeineIdempotencyStoreTest extends IdempotencyStoreContractTest {

    @Override
    protected IdempotencyStore createStore() {
        return new CaffeineIdempotencyStore();
    }

    @Test
    void rejectsANonPositiveSize() {
        assertThatThrownBy(() -> new CaffeineIdempotencyStore(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumSize");
    }

    @Test
    void completedRecordsStayWithinTheMaximumSize() {
        CaffeineIdempotencyStore small = new CaffeineIdempotencyStore(10);
        for (int i = 0; i < 1000; i++) {
            assertThat(small.claim("k" + i, "fp", "t" + i, Duration.ofMinutes(1)).outcome())
                    .isEqualTo(Claim.Outcome.ACQUIRED);
            assertThat(small.complete("k" + i, "t" + i, new byte[] { 1 }, Duration.ofMinutes(1))).isTrue();
        }
        long live = 0;
        for (int i = 0; i < 1000; i++) {
            live += small.find("k" + i).isPresent() ? 1 : 0;
        }
        assertThat(live).isLessThanOrEqualTo(20);
    }

    @Test
    void runningClaimsAreNeverEvictedByTheBound() {
        CaffeineIdempotencyStore small = new CaffeineIdempotencyStore(10);
        for (int i = 0; i < 500; i++) {
            small.claim("running" + i, "fp", "t" + i, Duration.ofMinutes(1));
        }
        for (int i = 0; i < 500; i++) {
            assertThat(small.claim("running" + i, "fp", "other", Duration.ofMinutes(1)).outcome())
                    .as("running claim %d", i).isEqualTo(Claim.Outcome.IN_FLIGHT);
        }
    }
}
