package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/** A message argument is fingerprinted by its payload, never by writing the message object as JSON. */
class MessageFingerprintsTests {

    private final Fingerprints fingerprints =
            new Fingerprints(JsonMapper.builder().build());

    @Test
    void anAmqpMessageIsFingerprintedByItsBodyNotByItsPerDeliveryProperties() {
        Message first = amqp("order 1", "id-1", 1);
        Message redelivery = amqp("order 1", "id-1", 7);
        redelivery.getMessageProperties().setRedelivered(true);
        Message other = amqp("order 2", "id-1", 1);
        // before: "Direct self-reference leading to cycle" on every delivery
        assertThat(fp(first)).isEqualTo(fp(redelivery)).isNotEqualTo(fp(other));
    }

    @Test
    void aSpringMessagingMessageIsFingerprintedByItsPayload() {
        var first =
                MessageBuilder.withPayload("order 1").setHeader("delivery", 1).build();
        var second =
                MessageBuilder.withPayload("order 1").setHeader("delivery", 2).build();
        var other = MessageBuilder.withPayload("order 2").build();
        assertThat(fp(first)).isEqualTo(fp(second)).isNotEqualTo(fp(other));
    }

    @Test
    void aKafkaRecordIsFingerprintedByItsKeyAndValueNotAsAnEmptyObject() {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 0, 10, "k1", "order 1");
        ConsumerRecord<String, String> redelivered = new ConsumerRecord<>("orders", 2, 99, "k1", "order 1");
        ConsumerRecord<String, String> otherValue = new ConsumerRecord<>("orders", 0, 10, "k1", "order 2");
        ConsumerRecord<String, String> otherKey = new ConsumerRecord<>("orders", 0, 10, "k2", "order 1");
        // before: every record fingerprinted as {}, so key reuse went unnoticed
        assertThat(fp(record))
                .isEqualTo(fp(redelivered))
                .isNotEqualTo(fp(otherValue))
                .isNotEqualTo(fp(otherKey));
    }

    @Test
    void theKafkaHeadersTheUserNamesAreFingerprintedToo() {
        Fingerprints withTenant = new Fingerprints(JsonMapper.builder().build(), java.util.List.of("tenant"));
        assertThat(withTenant.of(new Object[] {kafka("a")}, "op"))
                .isNotEqualTo(withTenant.of(new Object[] {kafka("b")}, "op"));
        assertThat(fp(kafka("a"))).isEqualTo(fp(kafka("b")));
    }

    private static ConsumerRecord<String, String> kafka(String tenant) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("tenant", tenant.getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", ("trace-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(
                "orders",
                0,
                10,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                "k1",
                "order 1",
                headers,
                java.util.Optional.empty());
    }

    private static Message amqp(String body, String id, long deliveryTag) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id);
        properties.setDeliveryTag(deliveryTag);
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }

    private String fp(Object argument) {
        return fingerprints.of(new Object[] {argument}, "Listener.on(message)");
    }
}
