package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * 1,000 orders on an embedded Kafka broker, topic of 3 partitions, 300 of them published twice; 5% of first
 * deliveries fail (the error handler retries them), and a second consumer joins the group mid-run (a
 * rebalance: partitions move while records are being processed). Then 3 slow orders are each published to a
 * partition of each consumer at once: duplicates in flight, which the error handler retries until the first
 * run completed. Each order must be processed exactly
 * once: a PostgreSQL table with a primary key on the order id, and a counter. On Caffeine the second
 * consumer is a second container in the same application context (one consumer JVM); on Redis and
 * PostgreSQL it is a second application context.
 */
class KafkaListenerSoakTests {

    static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaKraftBroker(1, 3, CAFFEINE_TOPIC, REDIS_TOPIC, JDBC_TOPIC);
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.destroy();
        }
    }

    static final String CAFFEINE_TOPIC = "soak-orders-caffeine";

    static final String REDIS_TOPIC = "soak-orders-redis";

    static final String JDBC_TOPIC = "soak-orders-jdbc";

    static final int ORDERS = 1_000;

    static final int PUBLISHED_TWICE = 300;

    /** Orders published at once to a partition of each consumer once the backlog is gone, each run 2.5 s. */
    static final int SLOW = 3;

    static final Map<String, AtomicInteger> SUCCESSES = new ConcurrentHashMap<>();

    static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    static final AtomicInteger UNIQUE_VIOLATIONS = new AtomicInteger();

    /** Orders run per consumer (container and context), to show the second consumer took partitions over. */
    static final Map<String, AtomicInteger> BY_CONSUMER = new ConcurrentHashMap<>();

    @ParameterizedTest(name = "{0} store, a second consumer {1}")
    @CsvSource({
        "caffeine, " + CAFFEINE_TOPIC + ", container",
        "redis, " + REDIS_TOPIC + ", context",
        "jdbc, " + JDBC_TOPIC + ", context"
    })
    void everyOrderIsProcessedExactlyOnceAcrossARebalance(String store, String topic, String second) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String[] properties = {
            "test.topic=" + topic,
            "test.run=" + run,
            "spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "spring.kafka.consumer.auto-offset-reset=earliest",
            "spring.kafka.consumer.group-id=soak-" + run,
            "spring.kafka.consumer.max-poll-records=20",
            "spring.kafka.consumer.fetch-max-wait=50ms",
            "idempotency.default-wait-timeout=2s",
            "idempotency.kafka.in-flight-back-off=50ms",
            "logging.level.org.springframework.kafka=OFF",
            "logging.level.org.apache.kafka=OFF",
            "logging.level.kafka=OFF",
            "logging.level.dev.idempotent.engine.IdempotencyEngine=WARN"
        };
        List<ConfigurableApplicationContext> nodes = new ArrayList<>();
        try {
            nodes.add(TestServers.startNode(App.class, store, "idempotency_listener_soak", properties));
            ConfigurableApplicationContext first = nodes.get(0);
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> kafka = first.getBean(KafkaTemplate.class);

            List<String> records = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                records.add(run + "-order-" + i);
                if (i < PUBLISHED_TWICE) {
                    records.add(run + "-order-" + i);
                }
            }
            Collections.shuffle(records, new Random(42));
            for (String id : records) {
                kafka.send(topic, id, "{\"order\":\"" + id + "\"}");
            }
            kafka.flush();

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> processed(jdbc, run) >= ORDERS / 10);
            if (second.equals("container")) {
                first.getBean(KafkaListenerEndpointRegistry.class)
                        .getListenerContainer("soak-b")
                        .start();
            } else {
                nodes.add(TestServers.startNode(App.class, store, "idempotency_listener_soak", properties));
            }

            Awaitility.await()
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> processed(jdbc, run) == ORDERS
                            && calls(nodes, "executed") == ORDERS
                            && calls(nodes, "replayed") >= PUBLISHED_TWICE);

            // duplicates in flight: with the backlog gone, each slow order is published to a partition of one
            // consumer and at once to a partition of the other (a producer that published it again elsewhere);
            // the copy waits the wait timeout (2 s) for the first run (2.5 s), is retried by the error handler
            // (in_flight), and is settled as a replay
            List<KafkaMessageListenerContainer<?, ?>> consumers = consumers(nodes, second);
            int partitionOfOne = partitionOf(consumers.get(0));
            int partitionOfOther = partitionOf(consumers.get(1));
            for (int k = 0; k < SLOW; k++) {
                String id = run + "-slow-" + k;
                kafka.send(topic, partitionOfOne, id, "{\"order\":\"" + id + "\"}");
                kafka.send(topic, partitionOfOther, id, "{\"order\":\"" + id + "\"}");
            }
            kafka.flush();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> processed(jdbc, run) == ORDERS + SLOW
                            && calls(nodes, "replayed") >= PUBLISHED_TWICE + SLOW);
            TimeUnit.MILLISECONDS.sleep(500);

            long failing =
                    FAILED_ONCE.stream().filter(id -> id.startsWith(run + "-")).count();
            System.out.printf(
                    "kafka soak on %s, second consumer a %s: executed %.0f, failed %.0f, replayed %.0f,"
                            + " in_flight %.0f%n",
                    store,
                    second,
                    calls(nodes, "executed"),
                    calls(nodes, "failed"),
                    calls(nodes, "replayed"),
                    calls(nodes, "in_flight"));
            System.out.println("orders per consumer: "
                    + BY_CONSUMER.entrySet().stream()
                            .filter(e -> e.getKey().startsWith(run + " "))
                            .toList());
            assertThat(processed(jdbc, run)).isEqualTo(ORDERS + SLOW);
            // the consumer that joined mid-run took partitions over and processed orders
            assertThat(BY_CONSUMER.entrySet().stream().filter(e -> e.getKey().startsWith(run + " ")))
                    .hasSize(2)
                    .allSatisfy(e -> assertThat(e.getValue().get()).isPositive());
            assertThat(UNIQUE_VIOLATIONS.get()).isZero();
            assertThat(SUCCESSES.entrySet().stream().filter(e -> e.getKey().startsWith(run + "-")))
                    .hasSize(ORDERS + SLOW)
                    .allSatisfy(e -> assertThat(e.getValue().get()).isEqualTo(1));
            assertThat(failing).isGreaterThan(30);
            assertThat(calls(nodes, "executed")).isEqualTo(ORDERS + SLOW);
            assertThat(calls(nodes, "failed")).isEqualTo(failing);
            assertThat(calls(nodes, "key_reuse")).isZero();
            // the duplicates, plus any record redelivered by the rebalance after it was processed
            assertThat(calls(nodes, "replayed"))
                    .isBetween((double) PUBLISHED_TWICE + SLOW, PUBLISHED_TWICE + SLOW + 200.0);
            // each copy in flight went back to the error handler at least once instead of being committed
            assertThat(calls(nodes, "in_flight")).isGreaterThanOrEqualTo(SLOW);
        } finally {
            nodes.forEach(ConfigurableApplicationContext::close);
        }
    }

    /** The two consumers of the group: two containers of one context, or the container of each context. */
    private static List<KafkaMessageListenerContainer<?, ?>> consumers(
            List<ConfigurableApplicationContext> nodes, String second) {
        List<MessageListenerContainer> containers = second.equals("container")
                ? List.of(container(nodes.get(0), "soak-a"), container(nodes.get(0), "soak-b"))
                : List.of(container(nodes.get(0), "soak-a"), container(nodes.get(1), "soak-a"));
        return containers.stream()
                .<KafkaMessageListenerContainer<?, ?>>map(
                        container -> ((ConcurrentMessageListenerContainer<?, ?>) container)
                                .getContainers()
                                .get(0))
                .toList();
    }

    private static MessageListenerContainer container(ConfigurableApplicationContext node, String id) {
        return node.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer(id);
    }

    private static int partitionOf(KafkaMessageListenerContainer<?, ?> consumer) {
        Collection<org.apache.kafka.common.TopicPartition> partitions = consumer.getAssignedPartitions();
        assertThat(partitions)
                .as("the partitions of a consumer after the rebalance")
                .isNotEmpty();
        return partitions.iterator().next().partition();
    }

    private static int processed(JdbcTemplate jdbc, String run) {
        return jdbc.queryForObject("select count(*) from listener_soak_orders where run = ?", Integer.class, run);
    }

    private static double calls(List<ConfigurableApplicationContext> nodes, String outcome) {
        double total = 0;
        for (ConfigurableApplicationContext node : nodes) {
            Counter counter = node.getBean(MeterRegistry.class)
                    .find("idempotency.calls")
                    .tag("name", "kafka-soak-orders")
                    .tag("outcome", outcome)
                    .counter();
            total += counter == null ? 0 : counter.count();
        }
        return total;
    }

    public static class SoakOrders {

        private final JdbcTemplate jdbc;

        private final String run;

        public SoakOrders(JdbcTemplate jdbc, Environment environment) {
            this.jdbc = jdbc;
            this.run = environment.getRequiredProperty("test.run");
        }

        @KafkaListener(id = "soak-a", idIsGroup = false, topics = "${test.topic}")
        @Idempotent(key = "#record.key()", name = "kafka-soak-orders")
        public void consumerA(ConsumerRecord<String, String> record) {
            onOrder(record, "soak-a@" + System.identityHashCode(this));
        }

        /** Started mid-run in the Caffeine case: joins the group, so its partitions are rebalanced. */
        @KafkaListener(id = "soak-b", idIsGroup = false, topics = "${test.topic}", autoStartup = "false")
        @Idempotent(key = "#record.key()", name = "kafka-soak-orders")
        public void consumerB(ConsumerRecord<String, String> record) {
            onOrder(record, "soak-b@" + System.identityHashCode(this));
        }

        private void onOrder(ConsumerRecord<String, String> record, String consumer) {
            String id = record.key();
            boolean slow = id.contains("-slow-");
            int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
            if (!slow && n % 20 == 7 && FAILED_ONCE.add(id)) {
                throw new IllegalStateException("the first delivery of " + id + " fails");
            }
            try {
                // a few milliseconds of work, so that the run lasts long enough for the rebalance to land in it;
                // a slow order outlasts the wait timeout
                Thread.sleep(slow ? 2_500 : 5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                jdbc.update("insert into listener_soak_orders (run, order_id) values (?, ?)", run, id);
            } catch (DuplicateKeyException e) {
                UNIQUE_VIOLATIONS.incrementAndGet();
                throw e;
            }
            SUCCESSES.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            BY_CONSUMER
                    .computeIfAbsent(run + " " + consumer, k -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SoakOrders.class)
    static class App {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        SoakTable soakTable(JdbcTemplate jdbc) {
            jdbc.execute("create table if not exists listener_soak_orders (run varchar(16) not null,"
                    + " order_id varchar(64) not null, primary key (run, order_id))");
            return new SoakTable();
        }

        static class SoakTable {}
    }
}
