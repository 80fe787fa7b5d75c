package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.interceptor.IdempotencyAdvisor;
import dev.idempotent.interceptor.IdempotencyInterceptor;
import dev.idempotent.interceptor.IdempotentOperationSource;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.support.Fingerprints;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

class IdempotencyAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, IdempotencyAutoConfiguration.class));

    public static class Counter {
        final AtomicInteger runs = new AtomicInteger();

        @Idempotent(key = "#id")
        public int count(String id) {
            return runs.incrementAndGet();
        }

        public int runs() {
            return runs.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CounterConfig {
        @Bean
        Counter counter() {
            return new Counter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserStoreConfig {
        @Bean
        IdempotencyStore myStore() {
            return new CaffeineIdempotencyStore(10);
        }
    }

    @Test
    void addingTheStarterIsEnough() {
        runner.withUserConfiguration(CounterConfig.class).run(context -> {
            assertThat(context)
                    .hasSingleBean(IdempotencyEngine.class)
                    .hasSingleBean(IdempotencyAdvisor.class)
                    .hasSingleBean(IdempotencyInterceptor.class)
                    .hasSingleBean(CaffeineIdempotencyStore.class);
            Counter counter = context.getBean(Counter.class);
            assertThat(AopUtils.isAopProxy(counter)).isTrue();
            assertThat(counter.count("a")).isEqualTo(counter.count("a"));
            assertThat(counter.runs()).isEqualTo(1);
        });
    }

    @Test
    void theAdvisorUsesTheInterceptorBeanAndItsClassFilterSkipsPlatformTypes() {
        runner.withUserConfiguration(CounterConfig.class).run(context -> {
            IdempotencyAdvisor advisor = context.getBean(IdempotencyAdvisor.class);
            assertThat(advisor.getAdvice()).isSameAs(context.getBean(IdempotencyInterceptor.class));
            assertThat(advisor.getPointcut().getClassFilter().matches(Counter.class))
                    .isTrue();
            assertThat(advisor.getPointcut().getClassFilter().matches(String.class))
                    .isFalse();
            assertThat(advisor.getPointcut().getMethodMatcher().matches(Counter.class.getMethod("runs"), Counter.class))
                    .isFalse();
        });
    }

    @Test
    void anInterceptorOfTheApplicationIsUsedWhateverItsName() {
        runner.withUserConfiguration(CounterConfig.class, CountingInterceptorConfig.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(IdempotencyInterceptor.class);
                    Counter counter = context.getBean(Counter.class);
                    counter.count("a");
                    counter.count("a");
                    assertThat(counter.runs()).isEqualTo(1);
                    assertThat(context.getBean(CountingInterceptor.class).calls).hasValue(2);
                });
    }

    static class CountingInterceptor extends IdempotencyInterceptor {

        final AtomicInteger calls = new AtomicInteger();

        CountingInterceptor(
                IdempotentOperationSource operations,
                IdempotencyEngine engine,
                IdempotencyStore store,
                Fingerprints fingerprints,
                BeanFactory beanFactory) {
            super(operations, engine, store, fingerprints, beanFactory);
        }

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            calls.incrementAndGet();
            return super.invoke(invocation);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CountingInterceptorConfig {
        @Bean
        CountingInterceptor myOwnInterceptor(
                IdempotentOperationSource operations,
                IdempotencyEngine engine,
                IdempotencyStore store,
                Fingerprints fingerprints,
                BeanFactory beanFactory) {
            return new CountingInterceptor(operations, engine, store, fingerprints, beanFactory);
        }
    }

    @Test
    void worksWithoutBootsAopAutoConfiguration() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class))
                .withUserConfiguration(CounterConfig.class)
                .run(context -> {
                    Counter counter = context.getBean(Counter.class);
                    counter.count("a");
                    counter.count("a");
                    assertThat(counter.runs()).isEqualTo(1);
                });
    }

    @Test
    void aUserStoreReplacesTheEmbeddedOne() {
        runner.withUserConfiguration(UserStoreConfig.class, CounterConfig.class).run(context -> {
            assertThat(context).hasSingleBean(IdempotencyStore.class);
            assertThat(context).hasBean("myStore");
            context.getBean(Counter.class).count("a");
            assertThat(context.getBean(IdempotencyStore.class).find("Counter.count:a"))
                    .isPresent();
        });
    }

    @Test
    void disabledMeansNoBeansAndNoInterception() {
        runner.withUserConfiguration(CounterConfig.class)
                .withPropertyValues("idempotency.enabled=false")
                .run(context -> {
                    assertThat(context)
                            .doesNotHaveBean(IdempotencyEngine.class)
                            .doesNotHaveBean(IdempotencyStore.class);
                    Counter counter = context.getBean(Counter.class);
                    counter.count("a");
                    counter.count("a");
                    assertThat(counter.runs()).isEqualTo(2);
                });
    }

    @Test
    void withoutCaffeineNoEmbeddedStoreIsCreated() {
        runner.withClassLoader(new FilteredClassLoader("com.github.benmanes.caffeine"))
                .withUserConfiguration(UserStoreConfig.class)
                .run(context -> assertThat(context)
                        .hasSingleBean(IdempotencyStore.class)
                        .hasBean("myStore"));
    }

    @Test
    void everyOptionalLibraryMayBeAbsent() {
        for (String absent : new String[] {
            "io.micrometer",
            "org.springframework.jdbc",
            "org.springframework.data.redis",
            "org.springframework.boot.actuate",
            "jakarta.servlet",
            "org.springframework.web",
            "org.springframework.http"
        }) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(
                            IdempotencyAutoConfiguration.class,
                            IdempotencyEndpointAutoConfiguration.class,
                            IdempotencyWebAutoConfiguration.class))
                    .withClassLoader(new FilteredClassLoader(absent))
                    .withUserConfiguration(CounterConfig.class)
                    .run(context -> {
                        assertThat(context).as("without " + absent).hasNotFailed();
                        Counter counter = context.getBean(Counter.class);
                        counter.count("a");
                        counter.count("a");
                        assertThat(counter.runs()).as("without " + absent).isEqualTo(1);
                    });
        }
    }

    @Test
    void propertiesAreBound() {
        runner.withPropertyValues(
                        "idempotency.default-ttl=7d",
                        "idempotency.default-lease=30s",
                        "idempotency.default-wait-timeout=2m",
                        "idempotency.on-store-failure=fail-open",
                        "idempotency.caffeine.maximum-size=50",
                        "idempotency.caffeine.maximum-weight=8MB",
                        "idempotency.max-payload-size=256KB",
                        "idempotency.advisor-order=42")
                .run(context -> {
                    IdempotencyProperties properties = context.getBean(IdempotencyProperties.class);
                    assertThat(properties.getDefaultTtl()).isEqualTo(Duration.ofDays(7));
                    assertThat(properties.getDefaultLease()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(properties.getDefaultWaitTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(properties.getOnStoreFailure()).isEqualTo(OnStoreFailure.FAIL_OPEN);
                    assertThat(properties.getCaffeine().getMaximumSize()).isEqualTo(50);
                    assertThat(properties.getCaffeine().getMaximumWeight()).isEqualTo(DataSize.ofMegabytes(8));
                    assertThat(properties.getMaxPayloadSize()).isEqualTo(DataSize.ofKilobytes(256));
                    assertThat(context.getBean(IdempotencyAdvisor.class).getOrder())
                            .isEqualTo(42);
                });
    }

    @Test
    void theMaxPayloadSizeAppliesToEveryResult() {
        runner.withUserConfiguration(CounterConfig.class)
                .withPropertyValues("idempotency.max-payload-size=10B")
                .run(context -> {
                    Counter counter = context.getBean(Counter.class);
                    counter.count("large");
                    counter.count("large");
                    assertThat(counter.runs()).as("not stored, so run again").isEqualTo(2);
                    assertThat(context.getBean(IdempotencyStore.class).find("Counter.count:large"))
                            .isEmpty();
                });
    }

    @Test
    void theDefaultTtlApplies() {
        runner.withUserConfiguration(CounterConfig.class)
                .withPropertyValues("idempotency.default-ttl=3h")
                .run(context -> {
                    context.getBean(Counter.class).count("ttl");
                    var record = context.getBean(IdempotencyStore.class)
                            .find("Counter.count:ttl")
                            .orElseThrow();
                    assertThat(Duration.between(record.createdAt(), record.expiresAt()))
                            .isBetween(
                                    Duration.ofHours(3).minusSeconds(5),
                                    Duration.ofHours(3).plusSeconds(5));
                });
    }

    // store failure policy

    public static class FailingStoreConfig {
        @Bean
        IdempotencyStore failingStore() {
            FaultyStore store = new FaultyStore(new CaffeineIdempotencyStore());
            store.failClaims = true;
            return store;
        }

        @Bean
        Counter counter() {
            return new Counter();
        }
    }

    @Test
    void failOpenRunsTheMethodWithoutProtectionAndCountsItAsUnprotected() {
        runner.withUserConfiguration(FailingStoreConfig.class)
                .withPropertyValues("idempotency.on-store-failure=fail-open")
                .withBean(SimpleMeterRegistry.class)
                .run(context -> {
                    Counter counter = context.getBean(Counter.class);
                    counter.count("a");
                    counter.count("a");
                    assertThat(counter.runs()).isEqualTo(2);
                    // each call ran, unprotected: not a rejected call (store_error)
                    assertThat(calls(context, "unprotected")).isEqualTo(2);
                    assertThat(calls(context, "store_error")).isZero();
                });
    }

    @Test
    void failClosedIsTheDefaultAndCountsTheRejectedCallAsAStoreError() {
        runner.withUserConfiguration(FailingStoreConfig.class)
                .withBean(SimpleMeterRegistry.class)
                .run(context -> {
                    Counter counter = context.getBean(Counter.class);
                    assertThatThrownBy(() -> counter.count("a"))
                            .isInstanceOf(dev.idempotent.IdempotencyStoreUnavailableException.class);
                    assertThat(counter.runs()).isZero();
                    assertThat(calls(context, "store_error")).isEqualTo(1);
                    assertThat(calls(context, "unprotected")).isZero();
                });
    }

    private static double calls(org.springframework.context.ApplicationContext context, String outcome) {
        io.micrometer.core.instrument.Counter counter = context.getBean(SimpleMeterRegistry.class)
                .find("idempotency.calls")
                .tag("name", "Counter.count")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    // a crashed owner

    public static class Slow {
        final AtomicInteger runs = new AtomicInteger();

        @Idempotent(key = "#id", lease = "500ms", onInFlight = OnInFlight.REJECT)
        public int run(String id) {
            return runs.incrementAndGet();
        }
    }

    @Test
    void aCrashedOwnersClaimFreesItselfWhenItsLeaseEnds() {
        runner.withBean(Slow.class).run(context -> {
            IdempotencyStore store = context.getBean(IdempotencyStore.class);
            Slow slow = context.getBean(Slow.class);
            String id = UUID.randomUUID().toString();
            // another JVM claimed the key and died: nobody renews its lease
            String fingerprint =
                    context.getBean(dev.idempotent.support.Fingerprints.class).of(new Object[] {id}, "x");
            store.claim("Slow.run:" + id, fingerprint, "dead-owner", Duration.ofMillis(500));
            assertThatThrownBy(() -> slow.run(id)).isInstanceOf(IdempotencyInFlightException.class);
            Thread.sleep(800);
            assertThat(slow.run(id)).isEqualTo(1);
            assertThat(slow.run(id)).isEqualTo(1);
        });
    }

    // startup validation

    public static class BadKey {
        @Idempotent(key = "#order.id +")
        public String place(String order) {
            return order;
        }
    }

    public static class BadTtl {
        @Idempotent(key = "#id", ttl = "forever")
        public String place(String id) {
            return id;
        }
    }

    public static class MissingPlaceholder {
        @Idempotent(key = "#id", ttl = "${no.such.property}")
        public String place(String id) {
            return id;
        }
    }

    public static class Unstorable {
        @Idempotent(key = "#id")
        public InputStream open(String id) {
            return InputStream.nullInputStream();
        }
    }

    public static class NotPublic {
        @Idempotent(key = "#id")
        protected String hidden(String id) {
            return id;
        }
    }

    public static class SkipPrimitive {
        @Idempotent(key = "#id", onInFlight = OnInFlight.SKIP)
        public int count(String id) {
            return 1;
        }
    }

    public static class UnknownStore {
        @Idempotent(key = "#id", store = "noSuchStore")
        public String place(String id) {
            return id;
        }
    }

    public static class Overloads {
        @Idempotent(key = "#id")
        public String place(String id) {
            return id;
        }

        @Idempotent(key = "#id")
        public String place(String id, int quantity) {
            return id;
        }
    }

    public static class NamedOverloads {
        @Idempotent(key = "#id", name = "place-one")
        public String place(String id) {
            return id;
        }

        @Idempotent(key = "#id")
        public String place(String id, int quantity) {
            return id;
        }
    }

    @Test
    void twoMethodsCannotShareADefaultNamespace() {
        runner.withBean(Overloads.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("default namespace 'Overloads.place'")
                        .hasMessageContaining("@Idempotent(name = "));
        runner.withBean(NamedOverloads.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void anExpressionThatDoesNotParseFailsStartupNamingClassMethodAndExpression() {
        runner.withBean(BadKey.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("BadKey.place(String)")
                        .hasMessageContaining("'#order.id +'")
                        .hasMessageContaining("does not parse"));
    }

    @Test
    void anUnreadableDurationFailsStartup() {
        runner.withBean(BadTtl.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("ttl = \"forever\"")
                        .hasMessageContaining("BadTtl.place(String)"));
        runner.withBean(MissingPlaceholder.class)
                .run(context -> configurationFailure(context).hasMessageContaining("no.such.property"));
    }

    @Test
    void aResolvedPlaceholderIsUsed() {
        runner.withBean(MissingPlaceholder.class)
                .withPropertyValues("no.such.property=2h")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void otherMisconfigurationsFailStartupClearly() {
        runner.withBean(Unstorable.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("Unstorable.open(String) returns java.io.InputStream"));
        runner.withBean(NotPublic.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("NotPublic.hidden(String)")
                        .hasMessageContaining("not public"));
        runner.withBean(SkipPrimitive.class)
                .run(context -> configurationFailure(context)
                        .hasMessageContaining("SKIP")
                        .hasMessageContaining("int"));
        runner.withBean(UnknownStore.class)
                .run(context -> configurationFailure(context).hasMessageContaining("noSuchStore"));
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> configurationFailure(
            org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        Throwable t = context.getStartupFailure();
        while (t != null && !(t instanceof dev.idempotent.IdempotencyConfigurationException)) {
            t = t.getCause();
        }
        assertThat(t)
                .as("an IdempotencyConfigurationException in " + context.getStartupFailure())
                .isNotNull();
        return assertThat(t);
    }

    @Test
    void everyPropertyHasMetadataWithADescription() throws Exception {
        String metadata;
        try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var root = tools.jackson.databind.json.JsonMapper.builder().build().readTree(metadata);
        var names = new java.util.ArrayList<String>();
        root.path("properties").forEach(property -> {
            names.add(property.path("name").asString());
            assertThat(property.path("description").asString(""))
                    .as("description of " + property.path("name").asString())
                    .isNotBlank();
        });
        assertThat(names)
                .contains(
                        "idempotency.enabled",
                        "idempotency.default-ttl",
                        "idempotency.default-lease",
                        "idempotency.default-wait-timeout",
                        "idempotency.on-store-failure",
                        "idempotency.advisor-order",
                        "idempotency.caffeine.maximum-size",
                        "idempotency.caffeine.maximum-weight",
                        "idempotency.max-payload-size");
    }
}
