package dev.idempotent.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.support.IdempotencyDefaults;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.kafka.annotation.KafkaListener;
import tools.jackson.databind.json.JsonMapper;

/** Listener methods are found at startup and get the listener defaults without tuning onInFlight. */
class ListenerDefaultsTests {

    private final IdempotentOperationSource operations = new IdempotentOperationSource(
            IdempotencyDefaults.STANDARD, JsonMapper.builder().build(), null);

    public static class Listeners {
        @RabbitListener(queues = "orders")
        @Idempotent(key = "#message.messageProperties.messageId")
        public void rabbit(Message message) {}

        @KafkaListener(topics = "orders")
        @Idempotent(key = "#id")
        public void kafka(String id) {}

        @Idempotent(key = "#id")
        public void plain(String id) {}

        @RabbitListener(queues = "orders")
        @Idempotent(key = "#id", onInFlight = OnInFlight.SKIP)
        public void skipping(String id) {}

        @KafkaListener(topics = "orders")
        @Idempotent(key = "#records[0].key()")
        public void kafkaBatch(List<ConsumerRecord<String, String>> records) {}

        @KafkaListener(topics = "orders")
        @Idempotent(key = "'batch'")
        public void kafkaRecords(ConsumerRecords<String, String> records) {}

        @KafkaListener(topics = "orders", batch = "true")
        @Idempotent(key = "#orders[0]")
        public void kafkaPayloads(List<String> orders) {}

        @RabbitListener(queues = "orders", batch = "true")
        @Idempotent(key = "#orders[0]")
        public void rabbitPayloads(List<String> orders) {}

        @RabbitListener(queues = "orders")
        @Idempotent(key = "#messages[0].messageProperties.messageId")
        public void rabbitMessages(Message[] messages) {}

        /** A record listener whose payload happens to be a list: one message, not a batch. */
        @KafkaListener(topics = "orders")
        @Idempotent(key = "#lines[0]")
        public void kafkaListPayload(List<String> lines) {}
    }

    @Test
    void aListenerMethodsDuplicateInFlightWaitsAndThenGoesBackToTheBroker() throws Exception {
        IdempotentOperation rabbit = operation("rabbit", Message.class);
        assertThat(rabbit.listener()).isEqualTo(ListenerKind.RABBIT);
        assertThat(rabbit.onInFlight()).isEqualTo(OnInFlight.WAIT);
        assertThat(rabbit.codec()).isInstanceOf(ListenerResultCodec.class);
        IdempotentOperation kafka = operation("kafka", String.class);
        assertThat(kafka.listener()).isEqualTo(ListenerKind.KAFKA);
        assertThat(kafka.onInFlight()).isEqualTo(OnInFlight.WAIT);
        IdempotentOperation plain = operation("plain", String.class);
        assertThat(plain.listener()).isEqualTo(ListenerKind.NONE);
        assertThat(plain.onInFlight()).isEqualTo(OnInFlight.REJECT);
    }

    @Test
    void skipOnAListenerIsRefusedAtStartupBecauseItWouldLoseTheMessage() {
        assertThatThrownBy(() -> operation("skipping", String.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("@RabbitListener")
                .hasMessageContaining("lost");
    }

    @Test
    void aBatchListenerIsRefusedAtStartupBecauseABatchIsNoOperationOfItsOwn() throws Exception {
        assertThatThrownBy(() -> operation("kafkaBatch", List.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Listeners.kafkaBatch(List), a batch @KafkaListener method")
                .hasMessageContaining("once per message");
        assertThatThrownBy(() -> operation("kafkaRecords", ConsumerRecords.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("batch @KafkaListener");
        assertThatThrownBy(() -> operation("kafkaPayloads", List.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("batch @KafkaListener");
        assertThatThrownBy(() -> operation("rabbitPayloads", List.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("batch @RabbitListener");
        assertThatThrownBy(() -> operation("rabbitMessages", Message[].class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("batch @RabbitListener");
        assertThat(operation("kafkaListPayload", List.class).listener()).isEqualTo(ListenerKind.KAFKA);
    }

    private IdempotentOperation operation(String name, Class<?>... parameters) throws NoSuchMethodException {
        return operations.getOperation(Listeners.class.getMethod(name, parameters), Listeners.class);
    }
}
