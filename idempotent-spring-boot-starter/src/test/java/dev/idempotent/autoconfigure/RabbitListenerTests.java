package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
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
 * {@code @Idempotent} on a {@code @RabbitListener} method taking the AMQP {@code Message}, on the real
 * RabbitMQ (127.0.0.1:5672), two consumers with a prefetch of one: every delivery of a message id is
 * processed once, a duplicate in flight goes back to the broker, and nothing is lost when a run fails.
 */
@SpringBootTest(
        classes = RabbitListenerTests.App.class,
        properties = {
            "spring.rabbitmq.host=127.0.0.1",
            "spring.rabbitmq.port=5672",
            "spring.rabbitmq.listener.simple.concurrency=2",
            "spring.rabbitmq.listener.simple.prefetch=1",
            "idempotency.default-wait-timeout=200ms",
            "logging.level.org.springframework.amqp.rabbit.listener=ERROR"
        })
class RabbitListenerTests {

    static final String DEAD_LETTERS_SUFFIX = ".dlq";

    /** A queue of its own per run: other worktrees may use the same broker. */
    static final String QUEUE = "idempotent-test-orders-" + UUID.randomUUID();

    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("test.queue", () -> QUEUE);
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    RabbitAdmin admin;

    @Autowired
    OrderEvents events;

    @Autowired
    Queue orders;

    @Autowired
    MeterRegistry registry;

    @Test
    void aDuplicateOfACompletedMessageIsAcknowledgedWithoutRunning() {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(id, "ok " + id);
        await().until(() -> events.successes(id) == 1);
        send(id, "ok " + id);
        await().until(() -> calls("replayed") == replays + 1);
        assertQueueDrained();
        assertThat(events.runs(id)).isEqualTo(1);
    }

    @Test
    void aFailedRunIsRedeliveredAndRunsAgain() {
        String id = UUID.randomUUID().toString();
        send(id, "fail-once " + id);
        await().until(() -> events.successes(id) == 1);
        assertQueueDrained();
        assertThat(events.runs(id)).isEqualTo(2);
    }

    @Test
    void aDuplicateInFlightGoesBackToTheBrokerAndIsSettledWhenTheFirstRunFails() throws Exception {
        String id = UUID.randomUUID().toString();
        double inFlight = calls("in_flight");
        CountDownLatch gate = events.gate(id);
        send(id, "slow-fail-once " + id);
        await().until(() -> events.runs(id) == 1);
        try {
            send(id, "slow-fail-once " + id);
            // the duplicate waits, then is requeued again and again while the first run holds the key; it
            // never runs and is never acknowledged
            await().until(() -> calls("in_flight") >= inFlight + 2);
            assertThat(events.runs(id)).isEqualTo(1);
        } finally {
            gate.countDown();
        }
        // the first run fails and releases the key: one of the two deliveries runs it, the other replays
        await().until(() -> events.successes(id) == 1);
        assertQueueDrained();
        assertThat(events.runs(id)).isEqualTo(2);
        assertThat(events.successes(id)).isEqualTo(1);
    }

    @Test
    void aRecordedExceptionIsReplayedAsAnAcknowledgement() {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(id, "declined " + id);
        // the first delivery throws (recorded) and is requeued by the container; the redelivery is a replay
        await().until(() -> calls("replayed") >= replays + 1);
        assertQueueDrained();
        assertThat(events.runs(id)).isEqualTo(1);
        assertThat(rabbit.receive(orders.getName() + DEAD_LETTERS_SUFFIX, 200)).isNull();
    }

    @Test
    void keyReuseIsDeadLetteredNotRedeliveredForever() {
        String id = UUID.randomUUID().toString();
        send(id, "ok first " + id);
        await().until(() -> events.successes(id) == 1);
        send(id, "ok other " + id);
        Message dead = rabbit.receive(orders.getName() + DEAD_LETTERS_SUFFIX, 10_000);
        assertThat(dead).isNotNull();
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("ok other " + id);
        assertQueueDrained();
        assertThat(events.runs(id)).isEqualTo(1);
    }

    @Test
    void aMessageWithoutTheKeyIsDeadLetteredNotRedeliveredForever() {
        String body = "ok no-id " + UUID.randomUUID();
        rabbit.send(orders.getName(), new Message(body.getBytes(StandardCharsets.UTF_8), new MessageProperties()));
        Message dead = rabbit.receive(orders.getName() + DEAD_LETTERS_SUFFIX, 10_000);
        assertThat(dead).isNotNull();
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertQueueDrained();
    }

    private void send(String id, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id);
        rabbit.send(orders.getName(), new Message(body.getBytes(StandardCharsets.UTF_8), properties));
    }

    private void assertQueueDrained() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var info = admin.getQueueInfo(orders.getName());
            return info != null && info.getMessageCount() == 0;
        });
    }

    /** Generous: the suite shares two cores with other work, and a consumer group takes a while to form. */
    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30));
    }

    private double calls(String outcome) {
        Counter counter = registry.find("idempotency.calls")
                .tag("name", "order-events")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    static class DeclinedException extends RuntimeException {
        public DeclinedException(String message) {
            super(message);
        }
    }

    public static class OrderEvents {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        private final Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();

        private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

        private final Set<String> failed = ConcurrentHashMap.newKeySet();

        @RabbitListener(queues = "${test.queue}")
        @Idempotent(
                key = "#message.messageProperties.messageId",
                name = "order-events",
                storeExceptions = DeclinedException.class)
        public void onOrderEvent(Message message) throws InterruptedException {
            String id = message.getMessageProperties().getMessageId();
            String body = new String(message.getBody(), StandardCharsets.UTF_8);
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            CountDownLatch gate = gates.get(id);
            if (gate != null) {
                gate.await(60, TimeUnit.SECONDS);
            }
            if (body.startsWith("declined")) {
                throw new DeclinedException("declined: " + id);
            }
            if (body.contains("fail-once") && failed.add(id)) {
                throw new IllegalStateException("the first run of " + id + " fails");
            }
            successes.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        int runs(String id) {
            AtomicInteger count = runs.get(id);
            return count == null ? 0 : count.get();
        }

        int successes(String id) {
            AtomicInteger count = successes.get(id);
            return count == null ? 0 : count.get();
        }

        CountDownLatch gate(String id) {
            return gates.computeIfAbsent(id, k -> new CountDownLatch(1));
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(OrderEvents.class)
    static class App {

        @Bean
        Queue orders(org.springframework.core.env.Environment environment) {
            String name = environment.getRequiredProperty("test.queue");
            return QueueBuilder.nonDurable(name)
                    .expires(60_000)
                    .deadLetterExchange("")
                    .deadLetterRoutingKey(name + DEAD_LETTERS_SUFFIX)
                    .build();
        }

        @Bean
        Queue deadLetters(org.springframework.core.env.Environment environment) {
            return QueueBuilder.nonDurable(environment.getRequiredProperty("test.queue") + DEAD_LETTERS_SUFFIX)
                    .expires(60_000)
                    .build();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
