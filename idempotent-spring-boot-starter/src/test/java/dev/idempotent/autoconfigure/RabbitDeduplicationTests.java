package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code idempotency.amqp.deduplicate=message-id} on the real RabbitMQ: a listener without any annotation
 * of ours processes each message id once; a message without an id is processed and counted as unprotected.
 */
@SpringBootTest(
        classes = RabbitDeduplicationTests.App.class,
        properties = {
            "spring.rabbitmq.host=127.0.0.1",
            "spring.rabbitmq.port=5672",
            "spring.rabbitmq.listener.simple.concurrency=2",
            "spring.rabbitmq.listener.simple.prefetch=1",
            "idempotency.amqp.deduplicate=message-id",
            "logging.level.org.springframework.amqp.rabbit.listener=ERROR"
        })
class RabbitDeduplicationTests {

    static final String QUEUE = "idempotent-test-dedup-" + UUID.randomUUID();

    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("test.queue", () -> QUEUE);
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    Shipments shipments;

    @Autowired
    MeterRegistry registry;

    @Test
    void eachMessageIdIsProcessedOnceWithoutAnAnnotation() {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(id, "ship " + id);
        send(id, "ship " + id);
        send(id, "ship " + id);
        await().until(() -> calls("replayed") == replays + 2);
        assertThat(shipments.runs("ship " + id)).isEqualTo(1);
    }

    @Test
    void aMessageWithoutAnIdIsProcessedAndCountedAsUnprotected() {
        String body = "ship no-id " + UUID.randomUUID();
        double unprotected = calls("unprotected");
        send(null, body);
        send(null, body);
        await().until(() -> shipments.runs(body) == 2);
        assertThat(calls("unprotected")).isEqualTo(unprotected + 2);
    }

    private void send(String id, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id);
        properties.setContentType(MessageProperties.CONTENT_TYPE_TEXT_PLAIN);
        rabbit.send(QUEUE, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
    }

    /** Generous: the suite shares two cores with other work, and a consumer group takes a while to form. */
    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30));
    }

    private double calls(String outcome) {
        Counter counter = registry.find("idempotency.calls")
                .tag("name", "amqp:" + QUEUE)
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    public static class Shipments {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        @RabbitListener(queues = "${test.queue}")
        public void onShipment(String body) {
            runs.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
        }

        int runs(String body) {
            AtomicInteger count = runs.get(body);
            return count == null ? 0 : count.get();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Shipments.class)
    static class App {

        @Bean
        Queue shipments() {
            return QueueBuilder.nonDurable(QUEUE).expires(60_000).build();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
