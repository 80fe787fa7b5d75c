package dev.idempotent.autoconfigure;

import dev.idempotent.messaging.KafkaListenerErrors;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;

/**
 * Kafka listeners: unless the application defines its own {@link CommonErrorHandler}, the listener
 * containers get a {@link DefaultErrorHandler} (Spring Kafka's own default: ten attempts, then the record is
 * logged and skipped) that also knows the idempotency exceptions, see {@link KafkaListenerErrors}; Spring
 * Boot's listener container factory picks it up.
 */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class,
        beforeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass(DefaultErrorHandler.class)
@ConditionalOnProperty(prefix = "idempotency", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyKafkaProperties.class)
public class IdempotencyKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(CommonErrorHandler.class)
    public DefaultErrorHandler idempotencyKafkaErrorHandler(IdempotencyKafkaProperties properties) {
        return KafkaListenerErrors.configure(new DefaultErrorHandler(), properties.getInFlightBackOff());
    }
}
