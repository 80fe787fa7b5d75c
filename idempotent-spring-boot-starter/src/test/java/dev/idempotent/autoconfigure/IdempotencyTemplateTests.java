package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.BatchReport;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyOptions;
import dev.idempotent.IdempotencyTemplate;
import dev.idempotent.IdempotentResult;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.metrics.MicrometerIdempotencyListener;
import dev.idempotent.store.IdempotencyStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.ParameterizedTypeReference;

class IdempotencyTemplateTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class));

    record Export(String file, int bytes) {}

    @Test
    void executeRunsOnceAndReplaysTypedResults() {
        runner.run(context -> {
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            AtomicInteger runs = new AtomicInteger();
            IdempotencyOptions options = IdempotencyOptions.named("exports").ttl(Duration.ofHours(1));
            String key = UUID.randomUUID().toString();

            IdempotentResult<Export> first =
                    template.execute(key, options, Export.class, () -> new Export("a.csv", runs.incrementAndGet()));
            IdempotentResult<Export> second =
                    template.execute(key, options, Export.class, () -> new Export("a.csv", runs.incrementAndGet()));

            assertThat(first.wasExecuted()).isTrue();
            assertThat(second.wasReplayed()).isTrue();
            assertThat(second.value()).isEqualTo(first.value());
            assertThat(runs).hasValue(1);

            IdempotentResult<List<Export>> list = template.execute(
                    key,
                    IdempotencyOptions.named("lists"),
                    new ParameterizedTypeReference<List<Export>>() {},
                    () -> List.of(new Export("b", 1)));
            IdempotentResult<List<Export>> again = template.execute(
                    key,
                    IdempotencyOptions.named("lists"),
                    new ParameterizedTypeReference<List<Export>>() {},
                    List::of);
            assertThat(again.value()).isEqualTo(list.value());
            assertThat(again.value().get(0)).isInstanceOf(Export.class);
        });
    }

    @Test
    void aFingerprintMakesKeyReuseAnError() {
        runner.run(context -> {
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            String key = UUID.randomUUID().toString();
            template.run(key, IdempotencyOptions.named("deploys").fingerprint("v1"), () -> {});
            assertThatThrownBy(() -> template.run(
                            key, IdempotencyOptions.named("deploys").fingerprint("v2"), () -> {}))
                    .isInstanceOf(IdempotencyKeyReuseException.class);
            assertThatThrownBy(() -> template.run(" ", IdempotencyOptions.defaults(), () -> {}))
                    .isInstanceOf(InvalidIdempotencyKeyException.class);
        });
    }

    @Test
    void aBatchRunsEachItemOnceAndReportsWhatItDid() {
        runner.run(context -> {
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            IdempotencyOptions options = IdempotencyOptions.named("batch-" + UUID.randomUUID());
            List<Integer> items = IntStream.range(0, 50).boxed().toList();
            AtomicInteger runs = new AtomicInteger();

            BatchReport first =
                    template.runEach(items.subList(0, 45), i -> "item-" + i, options, i -> runs.incrementAndGet());
            BatchReport second = template.runEach(items, i -> "item-" + i, options, i -> runs.incrementAndGet());
            BatchReport third = template.runEach(items, i -> "item-" + i, options, i -> runs.incrementAndGet());

            assertThat(first.executed()).isEqualTo(45);
            assertThat(second.executed()).isEqualTo(5);
            assertThat(second.skipped()).isEqualTo(45);
            assertThat(second.summary()).isEqualTo("5 executed, 45 skipped (already done)");
            assertThat(third.summary()).isEqualTo("0 executed, 50 skipped: all already done");
            assertThat(third.isSuccess()).isTrue();
            assertThat(runs).hasValue(50);
        });
    }

    @Test
    void oneFailedItemNeverStopsTheOthersUnlessAsked() {
        runner.run(context -> {
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            IdempotencyOptions options = IdempotencyOptions.named("failing-" + UUID.randomUUID());
            List<Integer> items = List.of(1, 2, 3, 4);
            BatchReport report = template.runEach(items, i -> "item-" + i, options, i -> {
                if (i == 2) {
                    throw new IllegalStateException("disk full");
                }
            });
            assertThat(report.executed()).isEqualTo(3);
            assertThat(report.failed()).isEqualTo(1);
            assertThat(report.failures().get(0).key()).isEqualTo("item-2");
            assertThat(report.failures().get(0).error()).hasMessage("disk full");
            assertThat(report.isSuccess()).isFalse();
            assertThat(report.summary()).isEqualTo("3 executed, 0 skipped (already done), 1 failed");

            // the failed item was released: a rerun does it, the others are skipped
            BatchReport rerun = template.runEach(items, i -> "item-" + i, options, i -> {});
            assertThat(rerun.summary()).isEqualTo("1 executed, 3 skipped (already done)");

            IdempotencyOptions stopping = IdempotencyOptions.named("stopping-" + UUID.randomUUID());
            BatchReport stopped = template.runEach(
                    items,
                    i -> "item-" + i,
                    stopping,
                    i -> {
                        if (i == 2) {
                            throw new IllegalStateException("disk full");
                        }
                    },
                    true);
            assertThat(stopped.total()).isEqualTo(2);
            assertThat(stopped.stopped()).isTrue();
            assertThat(stopped.summary()).endsWith("stopped at the first failure");
        });
    }

    @Test
    void itemsInFlightElsewhereAreCountedNotFailed() {
        runner.run(context -> {
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            IdempotencyStore store = context.getBean(IdempotencyStore.class);
            String name = "busy-" + UUID.randomUUID();
            String fingerprint = new dev.idempotent.support.Fingerprints(
                            tools.jackson.databind.json.JsonMapper.builder().build())
                    .of(new Object[] {null}, "x");
            store.claim(name + ":item-1", fingerprint, "another-node", Duration.ofMinutes(1));
            BatchReport report =
                    template.runEach(List.of(1, 2), i -> "item-" + i, IdempotencyOptions.named(name), i -> {});
            assertThat(report.inFlight()).isEqualTo(1);
            assertThat(report.executed()).isEqualTo(1);
            assertThat(report.isSuccess()).isTrue();
            assertThat(report.summary()).contains("1 in flight elsewhere");
        });
    }

    @Test
    void callsAndStoreOperationsAreMetered() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(MicrometerIdempotencyListener.class);
            IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            String key = UUID.randomUUID().toString();
            IdempotencyOptions options = IdempotencyOptions.named("metered").fingerprint("a");
            template.run(key, options, () -> {});
            template.run(key, options, () -> {});
            assertThatThrownBy(() -> template.run(key, options.fingerprint("b"), () -> {}));
            assertThatThrownBy(() -> template.run(UUID.randomUUID().toString(), options, () -> {
                throw new IllegalStateException("x");
            }));

            assertThat(registry.get("idempotency.calls")
                            .tags("name", "metered", "outcome", "executed")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("idempotency.calls")
                            .tags("name", "metered", "outcome", "replayed")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("idempotency.calls")
                            .tags("name", "metered", "outcome", "key_reuse")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("idempotency.calls")
                            .tags("name", "metered", "outcome", "failed")
                            .counter()
                            .count())
                    .isEqualTo(1);
            // each call reads first; only the two that found no record claim (the replay and the key reuse
            // are answered by the read alone)
            assertThat(registry.get("idempotency.store.operations")
                            .tags("store", "caffeine", "operation", "find", "result", "success")
                            .timer()
                            .count())
                    .isEqualTo(4);
            assertThat(registry.get("idempotency.store.operations")
                            .tags("store", "caffeine", "operation", "claim", "result", "success")
                            .timer()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get("idempotency.store.operations")
                            .tags("store", "caffeine", "operation", "release")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("idempotency.completions.pending").gauge().value())
                    .isZero();
        });
    }

    @Test
    void withoutAMeterRegistryThereAreNoMetrics() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerIdempotencyListener.class));
    }
}
