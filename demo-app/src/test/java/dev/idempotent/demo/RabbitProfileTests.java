package dev.idempotent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.demo.OrderEventsConsumer.OrderEvents;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/**
 * The demo's order-events consumer with the rabbit profile, on the real RabbitMQ: an event published three
 * times under one message id is processed once (the README's "Message consumers").
 */
@SpringBootTest(
        properties = {"RABBITMQ_HOST=${IDEMPOTENCY_TEST_RABBITMQ_HOST:127.0.0.1}", "demo.sync.initial-delay=1h"})
@ActiveProfiles("rabbit")
class RabbitProfileTests {

    /** A queue of its own per run (other worktrees may use the same broker), deleted afterwards. */
    static final String QUEUE = "demo-order-events-" + UUID.randomUUID();

    @org.springframework.test.context.DynamicPropertySource
    static void queue(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("demo.order-events.queue", () -> QUEUE);
    }

    @Autowired
    org.springframework.amqp.core.AmqpAdmin admin;

    @org.junit.jupiter.api.AfterEach
    void deleteQueue() {
        admin.deleteQueue(QUEUE);
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    OrderEvents events;

    @Autowired
    MeterRegistry registry;

    @Test
    void anEventDeliveredThreeTimesIsProcessedOnce() {
        String queue = QUEUE;
        String id = "evt-" + UUID.randomUUID();
        long before = events.processed();
        for (int i = 0; i < 3; i++) {
            MessageProperties properties = new MessageProperties();
            properties.setMessageId(id);
            rabbit.send(queue, new Message("{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8), properties));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> replays() >= 2);
        assertThat(events.processed()).isEqualTo(before + 1);
    }

    private double replays() {
        var counter = registry.find("idempotency.calls")
                .tag("name", "order-events")
                .tag("outcome", "replayed")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
