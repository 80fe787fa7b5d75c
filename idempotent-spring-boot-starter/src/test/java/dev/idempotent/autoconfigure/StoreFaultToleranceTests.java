package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.Idempotent;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The engine's answers to store faults, configured by the starter: transient failures are retried
 * ({@code idempotency.store-retry.*}), a completion the store cannot take is kept and stored once the store is
 * back ({@code idempotency.completion-retry-timeout}), and both are metered.
 */
class StoreFaultToleranceTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, IdempotencyAutoConfiguration.class))
            .withUserConfiguration(Config.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("idempotency.store-retry.initial-delay=10ms", "idempotency.store-retry.max-delay=20ms");

    @Configuration(proxyBeanMethods = false)
    static class Config {
        @Bean
        FaultyStore faultyStore() {
            FaultyStore store = new FaultyStore(new CaffeineIdempotencyStore());
            store.transientFailures = true;
            return store;
        }

        @Bean
        Payments payments() {
            return new Payments();
        }
    }

    public static class Payments {
        final AtomicInteger runs = new AtomicInteger();

        @Idempotent(key = "#id")
        public String pay(String id) {
            return id + "#" + runs.incrementAndGet();
        }

        public int runs() {
            return runs.get();
        }
    }

    @Test
    void aTransientFailureIsRetriedAndMetered() {
        runner.run(context -> {
            FaultyStore store = context.getBean(FaultyStore.class);
            Payments payments = context.getBean(Payments.class);
            store.claimsToFail.set(2);
            assertThat(payments.pay("a")).isEqualTo("a#1");
            assertThat(payments.pay("a")).isEqualTo("a#1");
            assertThat(payments.runs()).isEqualTo(1);
            assertThat(context.getBean(MeterRegistry.class)
                            .get("idempotency.store.retries")
                            .tags("step", "claim")
                            .counter()
                            .count())
                    .isEqualTo(2);
        });
    }

    @Test
    void retriesAreBoundedAndCanBeTurnedOff() {
        runner.withPropertyValues("idempotency.store-retry.max-retries=0").run(context -> {
            FaultyStore store = context.getBean(FaultyStore.class);
            store.claimsToFail.set(1);
            assertThatThrownBy(() -> context.getBean(Payments.class).pay("b"))
                    .isInstanceOf(IdempotencyStoreUnavailableException.class);
            assertThat(context.getBean(Payments.class).pay("b")).isEqualTo("b#1");
        });
        runner.withPropertyValues("idempotency.store-retry.max-retries=3").run(context -> {
            context.getBean(FaultyStore.class).claimsToFail.set(4);
            assertThatThrownBy(() -> context.getBean(Payments.class).pay("c"))
                    .isInstanceOf(IdempotencyStoreUnavailableException.class);
            assertThat(context.getBean(Payments.class).runs()).isZero();
        });
    }

    @Test
    void aCompletionTheStoreCannotTakeIsKeptInFlightAndStoredOnceTheStoreIsBack() {
        runner.run(context -> {
            FaultyStore store = context.getBean(FaultyStore.class);
            Payments payments = context.getBean(Payments.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            store.failCompletes = true;
            assertThat(payments.pay("d"))
                    .as("the caller gets its result at once")
                    .isEqualTo("d#1");
            assertThat(context.getBean(IdempotencyEngine.class).pendingCompletions())
                    .isEqualTo(1);
            assertThat(registry.get("idempotency.completions.pending").gauge().value())
                    .isEqualTo(1);
            assertThatThrownBy(() -> payments.pay("d")).isInstanceOf(IdempotencyInFlightException.class);

            store.heal();
            await(() -> context.getBean(IdempotencyEngine.class).pendingCompletions() == 0);
            assertThat(store.find(store.lastCompletedKey))
                    .hasValueSatisfying(
                            record -> assertThat(record.isCompleted()).isTrue());
            assertThat(payments.pay("d")).isEqualTo("d#1");
            assertThat(payments.runs()).isEqualTo(1);
            assertThat(registry.get("idempotency.completions.pending").gauge().value())
                    .isZero();
        });
    }

    @Test
    void aCompletionIsGivenUpAfterTheRetryTimeoutWithAMetric() {
        runner.withPropertyValues("idempotency.completion-retry-timeout=300ms").run(context -> {
            FaultyStore store = context.getBean(FaultyStore.class);
            store.failCompletes = true;
            assertThat(context.getBean(Payments.class).pay("e")).isEqualTo("e#1");
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            await(() -> registry.find("idempotency.completions.abandoned").counter() != null);
            assertThat(registry.get("idempotency.completions.abandoned")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(context.getBean(IdempotencyEngine.class).pendingCompletions())
                    .isZero();
        });
    }

    @Test
    void pendingCompletionsAreFlushedWhenTheApplicationStops() {
        FaultyStore[] stores = new FaultyStore[1];
        runner.run(context -> {
            stores[0] = context.getBean(FaultyStore.class);
            stores[0].failCompletes = true;
            assertThat(context.getBean(Payments.class).pay("f")).isEqualTo("f#1");
            stores[0].heal();
            // closing the context before the background retry: the engine tries once more as it stops
        });
        assertThat(stores[0].getDelegate().find(stores[0].lastCompletedKey))
                .hasValueSatisfying(record -> assertThat(record.isCompleted()).isTrue());
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
