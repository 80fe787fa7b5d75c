package dev.idempotent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pauses of a reactive store step's retries: the same schedule and budget as the blocking retries. */
class StoreRetryDelayTests {

    private final StoreRetry retry =
            new StoreRetry(4, Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(5));

    private final Duration lease = Duration.ofMinutes(1);

    @Test
    void theFirstRetryIsAtOnceTheNextOnesBackOffWithJitterUpToTheMaxDelay() {
        assertThat(retry.nextDelay(lease, Duration.ZERO, 0)).isZero();
        assertThat(retry.nextDelay(lease, Duration.ZERO, 1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(150));
        assertThat(retry.nextDelay(lease, Duration.ZERO, 2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(retry.nextDelay(lease, Duration.ZERO, 3)).isBetween(Duration.ofMillis(250), Duration.ofMillis(300));
    }

    @Test
    void noRetryIsLeftOnceTheyAreSpentOrThePauseWouldEndPastTheBudget() {
        assertThat(retry.nextDelay(lease, Duration.ZERO, 4)).isNull();
        assertThat(retry.nextDelay(lease, Duration.ofSeconds(5), 0)).isNull();
        // never more than a third of the lease
        assertThat(retry.nextDelay(Duration.ofMillis(300), Duration.ofMillis(99), 1))
                .isNull();
        assertThat(StoreRetry.NONE.nextDelay(lease, Duration.ZERO, 0)).isNull();
    }
}
