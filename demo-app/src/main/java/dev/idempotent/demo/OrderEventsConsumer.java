package dev.idempotent.demo;

import dev.idempotent.Idempotent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Order events from RabbitMQ, each message id processed once however often the broker delivers it
 * (profile {@code rabbit}). The defaults for listeners apply: a redelivery of a processed event is
 * acknowledged without running, a duplicate that arrives while the first is still processed goes back to
 * the broker, and a failure is redelivered and runs again.
 */
@Configuration(proxyBeanMethods = false)
@Profile("rabbit")
public class OrderEventsConsumer {

    @Bean
    Queue orderEventsQueue(org.springframework.core.env.Environment environment) {
        return new Queue(environment.getProperty("demo.order-events.queue", "order-events"));
    }

    @Bean
    OrderEvents orderEvents() {
        return new OrderEvents();
    }

    /** The listener. */
    public static class OrderEvents {

        private static final Log logger = LogFactory.getLog(OrderEvents.class);

        private final AtomicLong processed = new AtomicLong();

        @RabbitListener(queues = "${demo.order-events.queue:order-events}")
        @Idempotent(key = "#message.messageProperties.messageId", name = "order-events", ttl = "7d")
        public void onOrderEvent(Message message) {
            logger.info("Order event " + message.getMessageProperties().getMessageId() + " processed ("
                    + processed.incrementAndGet() + " in this JVM): "
                    + new String(message.getBody(), StandardCharsets.UTF_8));
        }

        /** How many events were really processed in this JVM. */
        public long processed() {
            return processed.get();
        }
    }
}
