package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Two separate application contexts (two "instances" of one application) sharing one real store: a key
 * is executed once across both, whichever instance each call reaches.
 */
class TwoInstancesTests {

    /** Counts executions across both contexts (the one thing the two instances share besides the store). */
    static final AtomicInteger EXECUTIONS = new AtomicInteger();

    public static class Transfers {
        @Idempotent(key = "#id", onInFlight = OnInFlight.WAIT, waitTimeout = "30s")
        public String transfer(String id) throws InterruptedException {
            int run = EXECUTIONS.incrementAndGet();
            Thread.sleep(300);
            return "transfer " + id + " run " + run;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Instance {
        @Bean
        Transfers transfers() {
            return new Transfers();
        }
    }

    private static ConfigurableApplicationContext start(String store, String prefix) {
        return TestServers.startNode(
                Instance.class, store, "idempotency_two_instances", "idempotency.redis.key-prefix=" + prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "jdbc"})
    void aKeyIsExecutedOnceAcrossTwoInstances(String store) throws Exception {
        String prefix = "two-instances-" + UUID.randomUUID() + ":";
        try (ConfigurableApplicationContext first = start(store, prefix);
                ConfigurableApplicationContext second = start(store, prefix)) {
            assertThat(first.getBean(dev.idempotent.store.IdempotencyStore.class)
                            .getClass()
                            .getSimpleName())
                    .containsIgnoringCase(store);
            List<Transfers> instances = List.of(first.getBean(Transfers.class), second.getBean(Transfers.class));
            for (int round = 0; round < 3; round++) {
                String id = UUID.randomUUID().toString();
                int before = EXECUTIONS.get();
                int threads = 16;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                CountDownLatch start = new CountDownLatch(1);
                try {
                    List<Future<String>> results = new ArrayList<>();
                    for (int i = 0; i < threads; i++) {
                        Transfers instance = instances.get(i % 2);
                        results.add(pool.submit(() -> {
                            start.await();
                            return instance.transfer(id);
                        }));
                    }
                    start.countDown();
                    Set<String> distinct = new HashSet<>();
                    for (Future<String> result : results) {
                        distinct.add(result.get(60, TimeUnit.SECONDS));
                    }
                    assertThat(EXECUTIONS.get() - before)
                            .as("executions of " + id)
                            .isEqualTo(1);
                    assertThat(distinct).hasSize(1);
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }
}
