package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.Idempotent;
import dev.idempotent.store.Claim;
import dev.idempotent.store.DelegatingIdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code @Idempotent(ttl, lease)} and the {@code idempotency.default-*} properties read the same text the
 * same way (Spring Boot's syntax): a method with {@code ttl = "${test.duration}"} and a method that takes
 * {@code idempotency.default-ttl} hand the store the same ttl and lease, and what Boot's binding refuses,
 * the annotation refuses at startup too.
 */
class DurationSyntaxTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, IdempotencyAutoConfiguration.class))
            .withUserConfiguration(RecordingStoreConfig.class);

    @ParameterizedTest
    @CsvSource({
        "500, PT0.5S",
        "500ms, PT0.5S",
        "10s, PT10S",
        "10S, PT10S",
        "+10s, PT10S",
        "2m, PT2M",
        "1h, PT1H",
        "1d, PT24H",
        "1500us, PT0.0015S",
        "PT10S, PT10S",
        "pt90m, PT1H30M",
        "P1D, PT24H"
    })
    void theAnnotationAndThePropertiesReadTheSameDuration(String text, Duration expected) {
        runner.withPropertyValues(
                        "test.duration=" + text, "idempotency.default-ttl=" + text, "idempotency.default-lease=" + text)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(IdempotencyProperties.class).getDefaultTtl())
                            .isEqualTo(expected);
                    RecordingStore store = context.getBean(RecordingStore.class);
                    TimedOperations operations = context.getBean(TimedOperations.class);

                    operations.explicit("a");
                    operations.byDefault("b");

                    assertThat(store.leases).containsExactly(expected, expected);
                    assertThat(store.ttls).containsExactly(expected, expected);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"1h30m", "1 h", "1.5h", "1w", "forever"})
    void whatThePropertiesRefuseTheAnnotationRefuses(String text) {
        runner.withPropertyValues("test.duration=1s", "idempotency.default-ttl=" + text)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(cause(context.getStartupFailure(), BindException.class))
                            .hasMessageContaining("idempotency.default-ttl");
                });
        runner.withPropertyValues("test.duration=" + text).run(context -> {
            assertThat(context).hasFailed();
            assertThat(cause(context.getStartupFailure(), IdempotencyConfigurationException.class))
                    .hasMessageContaining("@Idempotent ttl = \"${test.duration}\" on TimedOperations.explicit(String)")
                    .hasMessageContaining("resolved to \"" + text + "\"")
                    .hasMessageContaining("'" + text + "' is not a duration");
        });
    }

    private static Throwable cause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
    }

    public static class TimedOperations {

        @Idempotent(key = "#id", ttl = "${test.duration}", lease = "${test.duration}")
        public String explicit(String id) {
            return id;
        }

        @Idempotent(key = "#id")
        public String byDefault(String id) {
            return id;
        }
    }

    /** The embedded store, noting the lease of every claim and the ttl of every completion. */
    static class RecordingStore extends DelegatingIdempotencyStore {

        final List<Duration> leases = new CopyOnWriteArrayList<>();

        final List<Duration> ttls = new CopyOnWriteArrayList<>();

        RecordingStore() {
            super(new CaffeineIdempotencyStore());
        }

        @Override
        public Claim claim(String key, String fingerprint, String ownerToken, Duration lease) {
            leases.add(lease);
            return super.claim(key, fingerprint, ownerToken, lease);
        }

        @Override
        public boolean complete(String key, String ownerToken, byte[] payload, Duration ttl) {
            ttls.add(ttl);
            return super.complete(key, ownerToken, payload, ttl);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingStoreConfig {

        @Bean
        RecordingStore idempotencyStore() {
            return new RecordingStore();
        }

        @Bean
        TimedOperations timedOperations() {
            return new TimedOperations();
        }
    }
}
