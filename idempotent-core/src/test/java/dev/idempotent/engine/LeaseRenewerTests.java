package dev.idempotent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.OnStoreFailure;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseRenewerTests {

    private final CaffeineIdempotencyStore store = new CaffeineIdempotencyStore();

    @Test
    void callsThatEndBeforeTheirFirstRenewalNeverWakeTheSweeper() throws Exception {
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);
                LeaseRenewer renewer = new LeaseRenewer(engine)) {
            for (int i = 0; i < 1000; i++) {
                renewer.start(store, "k" + i, "t" + i, Duration.ofSeconds(30)).stop();
                if (i % 100 == 0) {
                    Thread.sleep(20); // let the sweeper go idle between bursts
                }
            }
            assertThat(renewer.wakeUps()).isZero();
        }
    }

    @Test
    void aShortLeaseStartedWhileTheSweeperIdlesWakesItAndIsRenewedInTime() throws Exception {
        Duration lease = Duration.ofMillis(300);
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);
                LeaseRenewer renewer = new LeaseRenewer(engine)) {
            renewer.start(store, "warm-up", "t0", Duration.ofSeconds(30)).stop();
            Thread.sleep(100); // the sweeper now parks for up to a second, longer than the lease below

            assertThat(store.claim("short", "fp", "t1", lease).outcome()).isEqualTo(Claim.Outcome.ACQUIRED);
            LeaseRenewer.Renewal renewal = renewer.start(store, "short", "t1", lease);
            try {
                Thread.sleep(1200); // four leases: only renewals every 100 ms keep the claim
                IdempotencyRecord record = store.find("short").orElse(null);
                assertThat(record).as("the claim, renewed").isNotNull();
                assertThat(record.isOwnedBy("t1")).isTrue();
                assertThat(renewer.wakeUps()).isEqualTo(1);
            } finally {
                renewal.stop();
            }
        }
    }
}
