package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.idempotent.IdempotentResult;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** A result larger than idempotency.max-payload-size is returned, not stored, and its key released. */
class MaxPayloadSizeTests {

    public static class TooLong extends RuntimeException {
        public TooLong(String message) {
            super(message);
        }
    }

    @SuppressWarnings("unchecked")
    private static IdempotencyRequest request(CaffeineIdempotencyStore store, String key) {
        JsonResultCodec codec = JsonResultCodec.forType(
                JsonMapper.builder().build(), String.class, new Class[] {TooLong.class}, "Report.render()");
        return new IdempotencyRequest(
                "report",
                store,
                key,
                "fp",
                Duration.ofMinutes(10),
                Duration.ofMinutes(1),
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                codec,
                "Report.render()");
    }

    @Test
    void aLargerResultIsReturnedButNotStoredAndTheKeyIsReleased() throws Throwable {
        CaffeineIdempotencyStore store = new CaffeineIdempotencyStore();
        AtomicInteger runs = new AtomicInteger();
        String large = "x".repeat(2000);
        Logger logger = (Logger) LoggerFactory.getLogger(IdempotencyEngine.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            engine.setMaxPayloadSize(DataSize.ofKilobytes(1));
            for (int i = 0; i < 2; i++) {
                IdempotentResult<Object> result = engine.execute(request(store, "big"), () -> {
                    runs.incrementAndGet();
                    return large;
                });
                assertThat(result.value()).isEqualTo(large);
                assertThat(result.outcome()).isEqualTo(IdempotentResult.Outcome.EXECUTED);
                assertThat(store.find("big")).as("released").isEmpty();
            }
            assertThatThrownBy(() -> engine.execute(request(store, "failed"), () -> {
                        throw new TooLong(large);
                    }))
                    .isInstanceOf(TooLong.class);
            assertThat(store.find("failed"))
                    .as("a recorded exception too large to store is released")
                    .isEmpty();

            assertThat(engine.execute(request(store, "small"), () -> "ok").value())
                    .isEqualTo("ok");
            assertThat(engine.execute(request(store, "small"), () -> "again").outcome())
                    .isEqualTo(IdempotentResult.Outcome.REPLAYED);
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(runs).hasValue(2);
        List<ILoggingEvent> warnings =
                appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).as("one warning line for three results too large").hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage())
                .contains("larger than idempotency.max-payload-size (1024 bytes)")
                .contains("Report.render() with key 'big'")
                .contains("not stored, and its key released");
    }

    @Test
    void theLimitMustBePositive() {
        try (IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            assertThatThrownBy(() -> engine.setMaxPayloadSize(DataSize.ofBytes(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max-payload-size");
        }
    }
}
