package dev.idempotent.autoconfigure;

import dev.idempotent.store.IdempotencyStore;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code idempotency} actuator endpoint, when Actuator is present and the endpoint is exposed. */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(IdempotencyStore.class)
public class IdempotencyEndpointAutoConfiguration {

    // on the method: the condition's class is only loaded once Actuator is known to be present
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(IdempotencyEndpoint.class)
    public IdempotencyEndpoint idempotencyEndpoint(
            IdempotencyStore idempotencyStore, BeanFactory beanFactory, IdempotencyProperties properties) {
        return new IdempotencyEndpoint(
                idempotencyStore, beanFactory, properties.getEndpoint().isShowPayload());
    }
}
