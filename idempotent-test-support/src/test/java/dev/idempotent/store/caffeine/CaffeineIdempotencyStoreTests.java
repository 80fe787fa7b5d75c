package dev.idempotent.store.caffeine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.test.IdempotencyStoreContractTests;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CaffeineIdempotencyStoreTests extends IdempotencyStoreContractTests {

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
            assertThat(small.claim("k" + i, "fp", "t" + i, Duration.ofMinutes(1))
                            .outcome())
                    .isEqualTo(Claim.Outcome.ACQUIRED);
            assertThat(small.complete("k" + i, "t" + i, new byte[] {1}, Duration.ofMinutes(1)))
                    .isTrue();
        }
        small.cleanUp(); // evictions run shortly after the writes, on Caffeine's executor
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
            assertThat(small.claim("running" + i, "fp", "other", Duration.ofMinutes(1))
                            .outcome())
                    .as("running claim %d", i)
                    .isEqualTo(Claim.Outcome.IN_FLIGHT);
        }
    }

    @Test
    void completedRecordsStayWithinTheMaximumWeightInBytes() {
        CaffeineIdempotencyStore small = new CaffeineIdempotencyStore(100_000, 1024 * 1024);
        for (int i = 0; i < 100; i++) {
            small.claim("big" + i, "fp", "t" + i, Duration.ofMinutes(1));
            assertThat(small.complete("big" + i, "t" + i, new byte[100 * 1024], Duration.ofMinutes(1)))
                    .isTrue();
        }
        long live = 0;
        for (int i = 0; i < 100; i++) {
            live += small.find("big" + i).isPresent() ? 1 : 0;
        }
        assertThat(live).isBetween(1L, 10L);
    }

    @Test
    void runningClaimsAreNeverEvictedByTheWeight() {
        CaffeineIdempotencyStore small = new CaffeineIdempotencyStore(100_000, 64 * 1024);
        for (int i = 0; i < 200; i++) {
            small.claim("running" + i, "fp", "t" + i, Duration.ofMinutes(1));
        }
        for (int i = 0; i < 50; i++) {
            small.claim("done" + i, "fp", "d" + i, Duration.ofMinutes(1));
            small.complete("done" + i, "d" + i, new byte[8 * 1024], Duration.ofMinutes(1));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(small.claim("running" + i, "fp", "other", Duration.ofMinutes(1))
                            .outcome())
                    .as("running claim %d", i)
                    .isEqualTo(Claim.Outcome.IN_FLIGHT);
        }
    }

    @Test
    void evictionsAreWarnedAtMostOnceAMinuteWithACount() {
        Logger logger = (Logger) LoggerFactory.getLogger(CaffeineIdempotencyStore.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            CaffeineIdempotencyStore small = new CaffeineIdempotencyStore(10);
            for (int i = 0; i < 2000; i++) {
                small.claim("k" + i, "fp", "t" + i, Duration.ofMinutes(1));
                small.complete("k" + i, "t" + i, new byte[] {1}, Duration.ofMinutes(1));
            }
            small.cleanUp();
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(appender.list.get(0).getFormattedMessage())
                .contains("evicted 1 completed record(s)")
                .contains("maximum-weight")
                .contains("maximum-size 10");
    }

    @Test
    void rejectsANonPositiveWeight() {
        assertThatThrownBy(() -> new CaffeineIdempotencyStore(10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumWeight");
    }
}
