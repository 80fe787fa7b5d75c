package dev.idempotent.autoconfigure;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.messaging.AmqpDeduplicationAdvice;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.JsonResultCodec;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.aopalliance.aop.Advice;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
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
import org.springframework.util.ReflectionUtils;

/**
 * {@code idempotency.amqp.deduplicate=message-id}: every RabbitMQ listener container made by a listener
 * container factory of the application gets an {@link AmqpDeduplicationAdvice} at the end of its advice
 * chain (inside Spring Boot's retry interceptor, when retries are enabled), so each message id is processed
 * once per queue without an annotation on each listener. A container that hands its listener batches of
 * messages ({@code consumer-batch-enabled}) is refused at startup, see
 * {@link AmqpDeduplicationAdvice#refuseBatch}.
 */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnClass(AbstractRabbitListenerContainerFactory.class)
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyAmqpProperties.class)
public class IdempotencyAmqpAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({IdempotencyEngine.class, IdempotencyStore.class})
    @ConditionalOnProperty(prefix = "idempotency.amqp", name = "deduplicate", havingValue = "message-id")
    public AmqpDeduplicationAdvice idempotencyAmqpDeduplicationAdvice(
            IdempotencyEngine engine,
            IdempotencyStore idempotencyStore,
            Fingerprints fingerprints,
            IdempotencyProperties properties,
            ObjectProvider<IdempotencyListener> listener) {
        @SuppressWarnings("unchecked")
        Class<? extends Throwable>[] none = new Class[0];
        return new AmqpDeduplicationAdvice(
                engine,
                idempotencyStore,
                fingerprints,
                JsonResultCodec.forType(
                        IdempotencyAutoConfiguration.IdempotencyJson.mapper(),
                        void.class,
                        none,
                        "idempotency.amqp.deduplicate"),
                new IdempotencyDefaults(
                        properties.getDefaultTtl(), properties.getDefaultLease(), properties.getDefaultWaitTimeout()),
                listener.getIfAvailable(() -> IdempotencyListener.NONE));
    }

    @Bean
    @ConditionalOnProperty(prefix = "idempotency.amqp", name = "deduplicate", havingValue = "message-id")
    static BeanPostProcessor idempotencyAmqpAdviceChain(ObjectProvider<AmqpDeduplicationAdvice> advice) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractRabbitListenerContainerFactory<?> factory) {
                    AmqpDeduplicationAdvice deduplication = advice.getIfAvailable();
                    if (deduplication != null) {
                        Advice[] chain = adviceChain(factory);
                        Advice[] extended = Arrays.copyOf(chain, chain.length + 1);
                        extended[chain.length] = deduplication;
                        factory.setAdviceChain(extended);
                        refuseBatches(factory);
                    }
                }
                return bean;
            }
        };
    }

    /** Has every container the factory makes refused if it batches, after the factory's own customizer. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void refuseBatches(AbstractRabbitListenerContainerFactory factory) {
        // keep the factory's own customizer (Spring Boot sets a ContainerCustomizer bean there)
        ContainerCustomizer existing =
                (ContainerCustomizer) new DirectFieldAccessor(factory).getPropertyValue("containerCustomizer");
        factory.setContainerCustomizer(container -> {
            if (existing != null) {
                existing.configure((MessageListenerContainer) container);
            }
            AmqpDeduplicationAdvice.refuseBatch((MessageListenerContainer) container);
        });
    }

    private static Advice[] adviceChain(AbstractRabbitListenerContainerFactory<?> factory) {
        Method getter = ReflectionUtils.findMethod(AbstractRabbitListenerContainerFactory.class, "getAdviceChain");
        if (getter == null) {
            return new Advice[0];
        }
        ReflectionUtils.makeAccessible(getter);
        Advice[] chain = (Advice[]) ReflectionUtils.invokeMethod(getter, factory);
        return chain == null ? new Advice[0] : chain;
    }
}
