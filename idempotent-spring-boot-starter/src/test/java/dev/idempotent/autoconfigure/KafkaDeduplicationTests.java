package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * {@code idempotency.kafka.deduplicate=header:event-id} on an embedded Kafka broker: a listener without any
 * annotation of ours processes each event id once; a record without the header is processed and counted as
 * unprotected.
 */
@SpringBootTest(
        classes = KafkaDeduplicationTests.App.class,
        properties = {
            "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
            "spring.kafka.consumer.auto-offset-reset=earliest",
            "idempotency.kafka.deduplicate=header:event-id",
            "spring.kafka.consumer.fetch-max-wait=50ms",
            "logging.level.org.springframework.kafka.listener=OFF",
            "logging.level.org.apache.kafka=WARN",
            "logging.level.kafka=WARN"
        })
@EmbeddedKafka(partitions = 2, topics = KafkaDeduplicationTests.TOPIC)
class KafkaDeduplicationTests {

    static final String TOPIC = "shipment-events";

    static final String GROUP = "shipments";

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    Shipments shipments;

    @Autowired
    MeterRegistry registry;

    @Autowired
    org.springframework.kafka.config.KafkaListenerEndpointRegistry containers;

    @org.junit.jupiter.api.BeforeEach
    void partitionsAssigned() {
        for (var container : containers.getListenerContainers()) {
            org.springframework.kafka.test.utils.ContainerTestUtils.waitForAssignment(container, 2);
        }
    }

    @Test
    void eachEventIdIsProcessedOnceWithoutAnAnnotation() throws Exception {
        String id = UUID.randomUUID().toString();
        double replays = calls("replayed");
        send(0, id, "ship " + id);
        send(1, id, "ship " + id);
        send(0, id, "ship " + id);
        await().until(() -> calls("replayed") == replays + 2);
        assertThat(shipments.runs("ship " + id)).isEqualTo(1);
    }

    @Test
    void aRecordWithoutTheHeaderIsProcessedAndCountedAsUnprotected() throws Exception {
        String value = "ship no-id " + UUID.randomUUID();
        double unprotected = calls("unprotected");
        send(0, null, value);
        send(0, null, value);
        await().until(() -> shipments.runs(value) == 2);
        assertThat(calls("unprotected")).isEqualTo(unprotected + 2);
    }

    private void send(int partition, String eventId, String value) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, partition, null, value);
        if (eventId != null) {
            record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
        }
        kafka.send(record).get(10, TimeUnit.SECONDS);
    }

    /** Generous: the suite shares two cores with other work, and a consumer group takes a while to form. */
    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30));
    }

    private double calls(String outcome) {
        Counter counter = registry.find("idempotency.calls")
                .tag("name", "kafka:" + GROUP)
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    public static class Shipments {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        @KafkaListener(topics = TOPIC, groupId = GROUP, concurrency = "2")
        public void onShipment(String value) {
            runs.computeIfAbsent(value, k -> new AtomicInteger()).incrementAndGet();
        }

        int runs(String value) {
            AtomicInteger count = runs.get(value);
            return count == null ? 0 : count.get();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Shipments.class)
    static class App {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
