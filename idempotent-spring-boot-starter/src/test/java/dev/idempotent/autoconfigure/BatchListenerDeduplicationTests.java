package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * {@code idempotency.amqp.deduplicate} and {@code idempotency.kafka.deduplicate} cannot deduplicate a batch
 * listener message by message (a message processed before cannot be left out of its batch, and a batch
 * redelivered after a failure is made of other messages): rather than leave it unprotected, the application
 * does not start, and the message names the listener and what to do. The listeners are never started, so
 * no broker is needed.
 */
class BatchListenerDeduplicationTests {

    @Test
    void aKafkaBatchListenerStopsTheApplicationAtStartup() {
        Throwable failure = catchThrowable(() -> start(
                KafkaApp.class, "idempotency.kafka.deduplicate=offset", "spring.kafka.bootstrap-servers=127.0.0.1:9"));
        assertThat(configurationFailure(failure))
                .hasMessageContaining(
                        "idempotency.kafka.deduplicate cannot deduplicate the batch listener" + " 'batch-shipments'")
                .hasMessageContaining("Make it a record listener");
    }

    @Test
    void aRabbitContainerThatBatchesOnTheConsumerSideStopsTheApplicationAtStartup() {
        Throwable failure = catchThrowable(() -> start(
                RabbitApp.class,
                "idempotency.amqp.deduplicate=message-id",
                "spring.rabbitmq.listener.simple.consumer-batch-enabled=true"));
        assertThat(configurationFailure(failure))
                .hasMessageContaining("idempotency.amqp.deduplicate=message-id cannot deduplicate the batch listener"
                        + " 'batch-shipments'")
                .hasMessageContaining("consumer-batch-enabled");
    }

    @Test
    void withoutTheConsumerSideBatchesTheSameRabbitApplicationStarts() {
        start(RabbitRecordApp.class, "idempotency.amqp.deduplicate=message-id").close();
    }

    private static org.springframework.context.ConfigurableApplicationContext start(
            Class<?> application, String... properties) {
        return new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .properties("idempotency.store=caffeine", "spring.main.banner-mode=off")
                .properties(properties)
                .run();
    }

    private static Throwable configurationFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IdempotencyConfigurationException) {
                return t;
            }
        }
        throw new AssertionError("no IdempotencyConfigurationException in", failure);
    }

    public static class KafkaBatchShipments {
        @KafkaListener(id = "batch-shipments", topics = "shipments", batch = "true", autoStartup = "false")
        public void onShipments(List<String> shipments) {}
    }

    public static class RabbitBatchShipments {
        @RabbitListener(id = "batch-shipments", queues = "shipments", autoStartup = "false")
        public void onShipments(List<Message> shipments) {}
    }

    public static class RabbitShipments {
        @RabbitListener(id = "shipments", queues = "shipments", autoStartup = "false")
        public void onShipment(Message shipment) {}
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(KafkaBatchShipments.class)
    static class KafkaApp {}

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(RabbitBatchShipments.class)
    static class RabbitApp {}

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(RabbitShipments.class)
    static class RabbitRecordApp {}
}
