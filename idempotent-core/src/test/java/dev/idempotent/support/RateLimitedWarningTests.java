package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedWarningTests {

    @Test
    void aFloodIsOneLineAMinuteWithACount() {
        String name = RateLimitedWarningTests.class.getName() + ".flood";
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedWarning warning = new RateLimitedWarning(LogFactory.getLog(name), Duration.ofMinutes(1), now::get);
        RateLimitedWarning.Message message = (count, latest) -> count + " evicted, latest " + latest;
        try {
            assertThat(warning.warn("k0", message)).isTrue();
            for (int i = 1; i <= 5000; i++) {
                now.addAndGet(Duration.ofMillis(10).toNanos());
                warning.warn("k" + i, message);
            }
            assertThat(appender.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("1 evicted, latest k0");

            now.addAndGet(Duration.ofSeconds(11).toNanos());
            assertThat(warning.warn("last", message)).isTrue();
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("1 evicted, latest k0", "5001 evicted, latest last");
    }
}
