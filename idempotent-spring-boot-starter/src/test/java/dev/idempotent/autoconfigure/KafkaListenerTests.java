package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.TopicPartition;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * {@code @Idempotent} on a {@code @KafkaListener} method taking the {@code ConsumerRecord}, on a real
 * (embedded) Kafka broker, two partitions with a consumer each, with the error handler the starter configures:
 * every record of an event id is processed once, a duplicate in flight is retried until the first run
 * ends (never skipped), a failed run is retried, and key reuse is not retried.
 */
@SpringBootTest(
        classes = KafkaListenerTests.App.class,
        properties = {
            "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
            "spring.kafka.consumer.auto-offset-reset=earliest",
            "spring.kafka.consumer.group-id=idempotent-test",
            "idempotency.default-wait-timeout=100ms",
            "idempotency.kafka.in-flight-back-off=10ms",
            "spring.kafka.consumer.fetch-max-wait=50ms",
            "logging.level.org.springframework.kafka.listener=OFF",
            "logging.level.org.apache.kafka=WARN",
            "logging.level.kafka=WARN",
            "logging.level.org.apache.zookeeper=WARN"
        })
@EmbeddedKafka(partitions = 2, topics = KafkaListenerTests.TOPIC)
class KafkaListenerTests {

    static final String TOPIC = "payment-events";

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    PaymentEvents events;

    @Autowired
    MeterRegistry registry;

    @Autowired
    org.springframework.kafka.config.KafkaListenerEndpointRegistry containers;

    @org.junit.jupiter.api.BeforeEach
    void partitionsAssigned() {
        for (var container : containers.getListenerContainers()) {
            org.springframework.kafka.test.utils.ContainerTestUtils.waitForAssignment(container, 1);
        }
    }

    @Test
    void aDuplicateOfACompletedRecordIsAcknowledgedWithoutRunning() throws Exception {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(0, id, "ok " + id);
        await().until(() -> events.successes(id) == 1);
        send(1, id, "ok " + id);
        await().until(() -> calls("replayed") == replays + 1);
        assertThat(events.runs(id)).isEqualTo(1);
    }

    @Test
    void aFailedRunIsRetriedAndRunsAgain() throws Exception {
        String id = UUID.randomUUID().toString();
        send(0, id, "fail-once " + id);
        await().until(() -> events.successes(id) == 1);
        assertThat(events.runs(id)).isEqualTo(2);
    }

    @Test
    void aDuplicateInFlightIsRetriedPastTheHandlersAttemptsAndSettledWhenTheFirstRunFails() throws Exception {
        String id = UUID.randomUUID().toString();
        double inFlight = calls("in_flight");
        CountDownLatch gate = events.gate(id);
        send(0, id, "slow-fail-once " + id);
        await().until(() -> events.runs(id) == 1);
        try {
            send(1, id, "slow-fail-once " + id);
            // more attempts than the DefaultErrorHandler's ten: the duplicate is never skipped while in flight
            await().until(() -> calls("in_flight") >= inFlight + 11);
            assertThat(events.runs(id)).isEqualTo(1);
        } finally {
            gate.countDown();
        }
        await().until(() -> events.successes(id) == 1);
        Thread.sleep(300);
        assertThat(events.runs(id)).isEqualTo(2);
        assertThat(events.successes(id)).isEqualTo(1);
    }

    @Test
    void aRecordedExceptionIsReplayedAsAnAcknowledgement() throws Exception {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(0, id, "declined " + id);
        await().until(() -> calls("replayed") >= replays + 1);
        Thread.sleep(300);
        assertThat(events.runs(id)).isEqualTo(1);
    }

    @Test
    void keyReuseIsNotRetried() throws Exception {
        String id = UUID.randomUUID().toString();
        double reuses = calls("key_reuse");
        send(0, id, "ok first " + id);
        await().until(() -> events.successes(id) == 1);
        send(0, id, "ok other " + id);
        await().until(() -> calls("key_reuse") == reuses + 1);
        Thread.sleep(500);
        assertThat(calls("key_reuse")).isEqualTo(reuses + 1);
        assertThat(events.runs(id)).isEqualTo(1);
    }

    private void send(int partition, String id, String value) throws Exception {
        kafka.send(TOPIC, partition, id, value).get(10, TimeUnit.SECONDS);
    }

    /** Generous: the suite shares two cores with other work, and a consumer group takes a while to form. */
    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30));
    }

    private double calls(String outcome) {
        Counter counter = registry.find("idempotency.calls")
                .tag("name", "payment-events")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    static class DeclinedException extends RuntimeException {
        public DeclinedException(String message) {
            super(message);
        }
    }

    public static class PaymentEvents {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        private final Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();

        private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

        private final Set<String> failed = ConcurrentHashMap.newKeySet();

        // two consumers of one group, each with a partition of its own (assigned, so no rebalance can give
        // both partitions to one consumer, which would run a duplicate only after the first delivery)
        @KafkaListener(
                id = "payments-0",
                groupId = "idempotent-test",
                topicPartitions = @TopicPartition(topic = TOPIC, partitions = "0"))
        @Idempotent(key = "#record.key()", name = "payment-events", storeExceptions = DeclinedException.class)
        public void onPartition0(ConsumerRecord<String, String> record) throws InterruptedException {
            onPaymentEvent(record);
        }

        @KafkaListener(
                id = "payments-1",
                groupId = "idempotent-test",
                topicPartitions = @TopicPartition(topic = TOPIC, partitions = "1"))
        @Idempotent(key = "#record.key()", name = "payment-events", storeExceptions = DeclinedException.class)
        public void onPartition1(ConsumerRecord<String, String> record) throws InterruptedException {
            onPaymentEvent(record);
        }

        private void onPaymentEvent(ConsumerRecord<String, String> record) throws InterruptedException {
            String id = record.key();
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            CountDownLatch gate = gates.get(id);
            if (gate != null) {
                gate.await(60, TimeUnit.SECONDS);
            }
            if (record.value().startsWith("declined")) {
                throw new DeclinedException("declined: " + id);
            }
            if (record.value().contains("fail-once") && failed.add(id)) {
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
    @Import(PaymentEvents.class)
    static class App {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
