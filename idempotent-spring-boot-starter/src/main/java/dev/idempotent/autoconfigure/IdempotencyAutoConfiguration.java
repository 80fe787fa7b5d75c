package dev.idempotent.autoconfigure;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyTemplate;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.interceptor.IdempotencyAdvisor;
import dev.idempotent.interceptor.IdempotencyInterceptor;
import dev.idempotent.interceptor.IdempotentMethodValidator;
import dev.idempotent.interceptor.IdempotentOperationSource;
import dev.idempotent.metrics.MicrometerIdempotencyListener;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.LibraryJson;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of {@code @Idempotent}: the advisor and its interceptor, the engine, the startup
 * validation of annotated methods, and the embedded Caffeine store unless the application defines an
 * {@link IdempotencyStore}. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
            "org.springframework.boot.autoconfigure.aop.AopAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
        })
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import({
    IdempotencyAutoProxyRegistrar.class,
    IdempotencyStoreConfigurations.Redis.class,
    IdempotencyStoreConfigurations.Jdbc.class,
    IdempotencyStoreConfigurations.Caffeine.class,
    IdempotencyStoreConfigurations.Missing.class
})
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class IdempotencyAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public IdempotencyEngine idempotencyEngine(
            IdempotencyProperties properties, ObjectProvider<IdempotencyListener> listener) {
        IdempotencyEngine engine = new IdempotencyEngine(
                properties.getOnStoreFailure(), listener.getIfAvailable(() -> IdempotencyListener.NONE));
        engine.setStoreRetry(properties.getStoreRetry().toStoreRetry());
        engine.setCompletionRetryTimeout(properties.getCompletionRetryTimeout());
        engine.setMaxPendingCompletions(properties.getMaxPendingCompletions());
        engine.setMaxPayloadSize(properties.getMaxPayloadSize());
        engine.setMaxElements(properties.getReactive().getMaxElements());
        return engine;
    }

    @Bean
    @ConditionalOnMissingBean
    public IdempotencyTemplate idempotencyTemplate(
            IdempotencyEngine engine,
            IdempotencyStore idempotencyStore,
            IdempotencyProperties properties,
            BeanFactory beanFactory) {
        return new IdempotencyTemplate(
                engine, idempotencyStore, IdempotencyJson.mapper(), defaults(properties), beanFactory);
    }

    private static IdempotencyDefaults defaults(IdempotencyProperties properties) {
        return new IdempotencyDefaults(
                properties.getDefaultTtl(), properties.getDefaultLease(), properties.getDefaultWaitTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public IdempotentOperationSource idempotentOperationSource(
            IdempotencyProperties properties, ConfigurableBeanFactory beanFactory) {
        return new IdempotentOperationSource(
                defaults(properties), IdempotencyJson.mapper(), new EmbeddedValueResolver(beanFactory));
    }

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public Fingerprints idempotencyFingerprints(Environment environment) {
        // idempotency.kafka.fingerprint-headers: bound here, so the class of the Kafka properties is never needed
        return new Fingerprints(
                IdempotencyJson.mapper(),
                Binder.get(environment)
                        .bind("idempotency.kafka.fingerprint-headers", Bindable.listOf(String.class))
                        .orElse(List.of()));
    }

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public IdempotencyInterceptor idempotencyInterceptor(
            IdempotentOperationSource operations,
            IdempotencyEngine engine,
            IdempotencyStore idempotencyStore,
            Fingerprints fingerprints,
            BeanFactory beanFactory) {
        // With several stores, the @Primary one or the one named idempotencyStore is the default.
        return new IdempotencyInterceptor(operations, engine, idempotencyStore, fingerprints, beanFactory);
    }

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static IdempotencyAdvisor idempotencyAdvisor(ListableBeanFactory beanFactory, Environment environment) {
        // Static, and the interceptor named, not injected: the auto-proxy creator asks for advisors while
        // post-processors are still being created, so the interceptor (with the store and the engine) is
        // looked up by name once, when the first proxy needs it.
        IdempotencyAdvisor advisor = new IdempotencyAdvisor();
        advisor.setAdviceBeanName(interceptorBeanName(beanFactory));
        advisor.setOrder(Binder.get(environment)
                .bind("idempotency.advisor-order", Integer.class)
                .orElse(IdempotencyAdvisor.DEFAULT_ORDER));
        return advisor;
    }

    /** The application's interceptor bean, or this configuration's; by type, without creating any bean. */
    private static String interceptorBeanName(ListableBeanFactory beanFactory) {
        String[] names = beanFactory.getBeanNamesForType(IdempotencyInterceptor.class, true, false);
        if (names.length != 1) {
            throw new IdempotencyConfigurationException("@Idempotent needs exactly one IdempotencyInterceptor bean,"
                    + " found " + (names.length == 0 ? "none" : String.join(", ", names)) + "; define one, or"
                    + " define your own IdempotencyAdvisor and name the interceptor with setAdviceBeanName");
        }
        return names[0];
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static IdempotentMethodValidator idempotentMethodValidator(
            ObjectProvider<IdempotentOperationSource> operations) {
        return new IdempotentMethodValidator(operations::getObject);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyListener.class)
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        MicrometerIdempotencyListener idempotencyMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
            return new MicrometerIdempotencyListener(registry);
        }

        /** The gauge idempotency.completions.pending of the engine, once both exist. */
        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        SmartInitializingSingleton idempotencyPendingCompletionsGauge(
                ObjectProvider<IdempotencyEngine> engine,
                ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return () -> {
                IdempotencyEngine available = engine.getIfUnique();
                io.micrometer.core.instrument.MeterRegistry target = registry.getIfUnique();
                if (available != null && target != null) {
                    MicrometerIdempotencyListener.bindPendingCompletions(available, target);
                }
            };
        }
    }

    /** The mapper for stored results: the platform's modules, no default typing, not shared. */
    static final class IdempotencyJson {

        private static final JsonMapper MAPPER = LibraryJson.newMapper();

        static JsonMapper mapper() {
            return MAPPER;
        }
    }
}
