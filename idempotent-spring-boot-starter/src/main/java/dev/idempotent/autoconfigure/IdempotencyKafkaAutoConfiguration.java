package dev.idempotent.autoconfigure;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.messaging.KafkaDeduplication;
import dev.idempotent.messaging.KafkaListenerErrors;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.JsonResultCodec;
import org.springframework.beans.DirectFieldAccessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;

/**
 * Kafka listeners: unless the application defines its own {@link CommonErrorHandler}, the listener
 * containers get a {@link DefaultErrorHandler} (Spring Kafka's own default: ten attempts, then the record is
 * logged and skipped) that also knows the idempotency exceptions, see {@link KafkaListenerErrors}; Spring
 * Boot's listener container factory picks it up. With {@code idempotency.kafka.deduplicate}, every
 * container made by a listener container factory of the application deduplicates its records
 * ({@link KafkaDeduplication}), after any container customizer the factory already has.
 */
@AutoConfiguration(
        after = IdempotencyAutoConfiguration.class,
        beforeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass(DefaultErrorHandler.class)
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyKafkaProperties.class)
public class IdempotencyKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(CommonErrorHandler.class)
    public DefaultErrorHandler idempotencyKafkaErrorHandler(IdempotencyKafkaProperties properties) {
        return KafkaListenerErrors.configure(new DefaultErrorHandler(), properties.getInFlightBackOff());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({IdempotencyEngine.class, IdempotencyStore.class})
    @ConditionalOnProperty(prefix = "idempotency.kafka", name = "deduplicate")
    public KafkaDeduplication idempotencyKafkaDeduplication(
            IdempotencyKafkaProperties kafka,
            IdempotencyEngine engine,
            IdempotencyStore idempotencyStore,
            Fingerprints fingerprints,
            IdempotencyProperties properties,
            ObjectProvider<IdempotencyListener> listener) {
        @SuppressWarnings("unchecked")
        Class<? extends Throwable>[] none = new Class[0];
        return KafkaDeduplication.of(
                kafka.getDeduplicate(),
                engine,
                idempotencyStore,
                fingerprints,
                JsonResultCodec.forType(
                        IdempotencyAutoConfiguration.IdempotencyJson.mapper(),
                        void.class,
                        none,
                        "idempotency.kafka.deduplicate"),
                new IdempotencyDefaults(
                        properties.getDefaultTtl(), properties.getDefaultLease(), properties.getDefaultWaitTimeout()),
                listener.getIfAvailable(() -> IdempotencyListener.NONE));
    }

    @Bean
    @ConditionalOnProperty(prefix = "idempotency.kafka", name = "deduplicate")
    static BeanPostProcessor idempotencyKafkaDeduplicationCustomizer(ObjectProvider<KafkaDeduplication> deduplication) {
        return new BeanPostProcessor() {
            @Override
            @SuppressWarnings({"rawtypes", "unchecked"})
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractKafkaListenerContainerFactory factory) {
                    KafkaDeduplication dedup = deduplication.getIfAvailable();
                    if (dedup != null) {
                        // keep the factory's own customizer (Spring Boot sets a ContainerCustomizer bean there)
                        ContainerCustomizer existing = (ContainerCustomizer)
                                new DirectFieldAccessor(factory).getPropertyValue("containerCustomizer");
                        factory.setContainerCustomizer(container -> {
                            if (existing != null) {
                                existing.configure(container);
                            }
                            dedup.apply(container);
                        });
                    }
                }
                return bean;
            }
        };
    }
}
