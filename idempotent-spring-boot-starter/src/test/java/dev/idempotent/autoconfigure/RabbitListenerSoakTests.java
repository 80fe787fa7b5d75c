package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.idempotent.Idempotent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * 1,000 orders on the real RabbitMQ, 300 of them published twice, consumed by 4 concurrent consumers per
 * application context; 5% of first deliveries fail (exception, requeue), about 1% close their channel
 * after the work and before the ack (forced redelivery), and 6 slow orders are published twice in a row, so
 * that the copy arrives while the first delivery runs (a duplicate in flight, sent back to the broker). A
 * consumer JVM killed mid-run is {@link ListenerCrashTests}. Each order must be processed exactly once: a
 * PostgreSQL table with a primary key on the order id, and a counter. On Caffeine with one consumer JVM;
 * on Redis and PostgreSQL with two application contexts consuming the same queue.
 */
class RabbitListenerSoakTests {

    static final int ORDERS = 1_000;

    static final int PUBLISHED_TWICE = 300;

    static final Map<String, AtomicInteger> SUCCESSES = new ConcurrentHashMap<>();

    static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    static final Set<String> CLOSED_ONCE = ConcurrentHashMap.newKeySet();

    static final AtomicInteger UNIQUE_VIOLATIONS = new AtomicInteger();

    /** Orders (not among the first PUBLISHED_TWICE) whose run outlasts the wait timeout, published again soon after. */
    static final List<Integer> SLOW = List.of(311, 398, 485, 572, 659, 746);

    @ParameterizedTest(name = "{0} store, {1} consumer context(s)")
    @CsvSource({"caffeine, 1", "redis, 2", "jdbc, 2"})
    void everyOrderIsProcessedExactlyOnce(String store, int contexts) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "idempotent-soak-" + store + "-" + run;
        List<ConfigurableApplicationContext> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < contexts; i++) {
                nodes.add(TestServers.startNode(
                        App.class,
                        store,
                        "idempotency_listener_soak",
                        "test.queue=" + queue,
                        "test.run=" + run,
                        "spring.rabbitmq.host=127.0.0.1",
                        "spring.rabbitmq.port=5672",
                        "spring.rabbitmq.listener.simple.concurrency=4",
                        "spring.rabbitmq.listener.simple.prefetch=5",
                        "idempotency.default-wait-timeout=2s",
                        "logging.level.org.springframework.amqp.rabbit=OFF",
                        "logging.level.dev.idempotent.engine.IdempotencyEngine=WARN"));
            }
            ConfigurableApplicationContext first = nodes.get(0);
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            RabbitTemplate rabbit = first.getBean(RabbitTemplate.class);
            AmqpAdmin admin = first.getBean(AmqpAdmin.class);

            List<String> deliveries = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                deliveries.add(run + "-order-" + i);
                if (i < PUBLISHED_TWICE) {
                    deliveries.add(run + "-order-" + i);
                }
            }
            Collections.shuffle(deliveries, new Random(42));
            // each slow order is published again ten messages after itself: the copy reaches another consumer
            // while the first delivery still runs, waits the wait timeout (2 s) for it, goes back to the broker
            // (in_flight), and is acknowledged as a replay once the first run (2.5 s) completed. Right behind
            // its original, the copy often went to the same consumer (which, acking the messages before the
            // slow one, had room in its prefetch window), waited there behind the first run and was a replay
            for (int n : SLOW) {
                String id = run + "-order-" + n;
                deliveries.add(Math.min(deliveries.indexOf(id) + 10, deliveries.size()), id);
            }
            for (String id : deliveries) {
                MessageProperties properties = new MessageProperties();
                properties.setMessageId(id);
                rabbit.send(
                        queue,
                        new Message(("{\"order\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), properties));
            }

            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() ->
                            processed(jdbc, run) == ORDERS && messages(admin, queue) == 0 && executed(nodes) == ORDERS);
            // let any redelivery still on its way settle, then check nothing ran twice
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollDelay(Duration.ofMillis(500))
                    .until(() -> messages(admin, queue) == 0);

            System.out.printf(
                    "soak on %s, %d context(s): executed %.0f, failed %.0f, replayed %.0f, in_flight %.0f,"
                            + " channels closed before the ack %d%n",
                    store,
                    contexts,
                    calls(nodes, "executed"),
                    calls(nodes, "failed"),
                    calls(nodes, "replayed"),
                    calls(nodes, "in_flight"),
                    CLOSED_ONCE.stream().filter(id -> id.startsWith(run + "-")).count());
            assertThat(processed(jdbc, run)).isEqualTo(ORDERS);
            assertThat(UNIQUE_VIOLATIONS.get()).isZero();
            assertThat(SUCCESSES.entrySet().stream().filter(e -> e.getKey().startsWith(run + "-")))
                    .hasSize(ORDERS)
                    .allSatisfy(e -> assertThat(e.getValue().get()).isEqualTo(1));
            assertThat(messages(admin, queue + ".dlq")).isZero();
            long failing =
                    FAILED_ONCE.stream().filter(id -> id.startsWith(run + "-")).count();
            assertThat(failing).isGreaterThan(30);
            assertThat(calls(nodes, "executed")).isEqualTo(ORDERS);
            assertThat(calls(nodes, "failed")).isEqualTo(failing);
            // every duplicate publish and every forced redelivery of a completed order is a replay (or, while
            // the first delivery ran, waited and then replayed)
            long closed =
                    CLOSED_ONCE.stream().filter(id -> id.startsWith(run + "-")).count();
            assertThat(closed).isGreaterThan(5);
            assertThat(calls(nodes, "replayed")).isGreaterThanOrEqualTo(PUBLISHED_TWICE + SLOW.size() + closed);
            assertThat(calls(nodes, "key_reuse")).isZero();
            // duplicates in flight went back to the broker instead of being acknowledged, and were settled later
            assertThat(calls(nodes, "in_flight")).isGreaterThanOrEqualTo(1);
        } finally {
            nodes.forEach(ConfigurableApplicationContext::close);
        }
    }

    private static int processed(JdbcTemplate jdbc, String run) {
        return jdbc.queryForObject("select count(*) from listener_soak_orders where run = ?", Integer.class, run);
    }

    private static long messages(AmqpAdmin admin, String queue) {
        var info = admin.getQueueInfo(queue);
        return info == null ? -1 : info.getMessageCount();
    }

    private static double executed(List<ConfigurableApplicationContext> nodes) {
        return calls(nodes, "executed");
    }

    private static double calls(List<ConfigurableApplicationContext> nodes, String outcome) {
        double total = 0;
        for (ConfigurableApplicationContext node : nodes) {
            Counter counter = node.getBean(MeterRegistry.class)
                    .find("idempotency.calls")
                    .tag("name", "soak-orders")
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

        @RabbitListener(queues = "${test.queue}")
        @Idempotent(key = "#message.messageProperties.messageId", name = "soak-orders")
        public void onOrder(Message message, Channel channel) throws IOException, TimeoutException {
            String id = message.getMessageProperties().getMessageId();
            int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
            if (n % 20 == 7 && FAILED_ONCE.add(id)) {
                throw new IllegalStateException("the first delivery of " + id + " fails");
            }
            if (SLOW.contains(n)) {
                try {
                    Thread.sleep(2_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                jdbc.update("insert into listener_soak_orders (run, order_id) values (?, ?)", run, id);
            } catch (DuplicateKeyException e) {
                UNIQUE_VIOLATIONS.incrementAndGet();
                throw e;
            }
            SUCCESSES.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (n % 97 == 3 && CLOSED_ONCE.add(id)) {
                // the work is done and recorded, but the ack never reaches the broker: it redelivers. The
                // listener gets the connection factory's cached-channel proxy, whose close() only returns
                // it to the cache: close the real channel
                Channel real = channel instanceof ChannelProxy proxy ? proxy.getTargetChannel() : channel;
                real.close();
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SoakOrders.class)
    static class App {

        @Bean
        Queue soakQueue(Environment environment) {
            String name = environment.getRequiredProperty("test.queue");
            return QueueBuilder.nonDurable(name)
                    .expires(120_000)
                    .deadLetterExchange("")
                    .deadLetterRoutingKey(name + ".dlq")
                    .build();
        }

        @Bean
        Queue soakDeadLetters(Environment environment) {
            return QueueBuilder.nonDurable(environment.getRequiredProperty("test.queue") + ".dlq")
                    .expires(120_000)
                    .build();
        }

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
