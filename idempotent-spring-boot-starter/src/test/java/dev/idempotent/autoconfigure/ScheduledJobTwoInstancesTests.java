package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A scheduled job on two nodes sharing one store, firing every 50 ms: with a key that names the time
 * window and onInFlight = SKIP, it runs once per window across both nodes.
 */
class ScheduledJobTwoInstancesTests {

    static final AtomicInteger RUNS = new AtomicInteger();

    static final AtomicInteger FIRINGS = new AtomicInteger();

    public static class NightlyJob {
        @Scheduled(fixedRate = 50)
        @Idempotent(
                key = "'nightly:' + @environment.getProperty('test.window')",
                onInFlight = OnInFlight.SKIP,
                ttl = "1h")
        public void run() throws InterruptedException {
            RUNS.incrementAndGet();
            Thread.sleep(300);
        }
    }

    /** Counts the firings that reached the proxy, whether the job ran or not. */
    public static class Firings {
        @Scheduled(fixedRate = 50)
        public void count() {
            FIRINGS.incrementAndGet();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    static class Node {
        @Bean
        NightlyJob nightlyJob() {
            return new NightlyJob();
        }

        @Bean
        Firings firings() {
            return new Firings();
        }
    }

    private static ConfigurableApplicationContext start(String store, String window) {
        return TestServers.startNode(Node.class, store, "idempotency_scheduled", "test.window=" + window);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "jdbc"})
    void theJobRunsOncePerWindowAcrossNodes(String store) throws Exception {
        String window = UUID.randomUUID().toString();
        int before = RUNS.get();
        int firingsBefore = FIRINGS.get();
        try (ConfigurableApplicationContext first = start(store, window);
                ConfigurableApplicationContext second = start(store, window)) {
            Thread.sleep(1500);
        }
        assertThat(FIRINGS.get() - firingsBefore).as("firings on both nodes").isGreaterThan(10);
        assertThat(RUNS.get() - before).as("runs of window " + window).isEqualTo(1);
    }
}
