package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.Idempotent;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.TopicPartition;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A consumer JVM killed with SIGKILL between its listener's database write and the broker's acknowledgment
 * (RabbitMQ ack, Kafka offset commit), on the real RabbitMQ, an embedded Kafka broker and the real PostgreSQL
 * and Redis. The consumer is a JVM of its own started from the test classpath ({@link Consumer}); it stops at
 * two points of two orders and says so on its output, then the test kills it by pid, with its whole process
 * tree (teardown kills what is left, pass or fail). A second consumer, an application context in the test
 * JVM, then receives the broker's redeliveries: RabbitMQ requeues what the dead connection had not
 * acknowledged; on Kafka the second consumer reads each partition from the offset the group committed (the
 * listeners are assigned their partitions, so the takeover does not wait for the group to notice the dead
 * member; a rebalance is {@link KafkaListenerSoakTests}).
 *
 * <ul>
 * <li>JDBC store with {@code idempotency.jdbc.complete-in-transaction=true}: killed after the write and
 * before the commit, the write rolls back with the session and the redelivery runs the order once (after the
 * dead consumer's lease ends); killed after the commit and before the ack, the redelivery is a replay. Every
 * order is written exactly once.</li>
 * <li>Redis store (the write and the record cannot commit together): killed after the write and before the
 * record completed, the redelivery runs the order again, so its write is there twice. This is the
 * at-least-once window of crashed work that {@code docs/guarantees.md} states; nothing is lost.</li>
 * </ul>
 */
class ListenerCrashTests {

    static final int ORDERS = 20;

    static final String TABLE = "idempotency_listener_crash";

    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static final String CLASSPATH =
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    @TempDir
    Path dir;

    private final List<Process> consumers = new ArrayList<>();

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @AfterEach
    void killTheConsumersAndCloseTheContexts() {
        consumers.forEach(ListenerCrashTests::killTree);
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"jdbc", "redis"})
    void aRabbitConsumerKilledBetweenTheWriteAndTheAck(String store) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "idempotent-crash-" + store + "-" + run;
        List<String> orders = orders(run);
        String beforeCommit = orders.get(3);
        String afterCommit = store.equals("jdbc") ? orders.get(6) : "";
        List<String> properties = properties(
                store,
                run,
                "test.queue=" + queue,
                "spring.rabbitmq.listener.simple.concurrency=3",
                "spring.rabbitmq.listener.simple.prefetch=1");

        // the consumer JVM starts while the second consumer starts here (both declare the queue)
        Process consumer = startConsumer(
                properties,
                "test.consumer=killed",
                "test.rabbit=true",
                "test.crash-before-commit=" + beforeCommit,
                "test.crash-after-commit=" + afterCommit);
        ConfigurableApplicationContext survivor = start(properties, "test.consumer=survivor");
        RabbitTemplate rabbit = survivor.getBean(RabbitTemplate.class);
        for (String id : orders) {
            MessageProperties messageProperties = new MessageProperties();
            messageProperties.setMessageId(id);
            rabbit.send(
                    queue,
                    new Message(("{\"order\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), messageProperties));
        }
        killAtTheCrashPoints(consumer, survivor, orders, beforeCommit, afterCommit);

        survivor.getBean(RabbitListenerEndpointRegistry.class)
                .getListenerContainer("crash-rabbit")
                .start();
        AmqpAdmin admin = survivor.getBean(AmqpAdmin.class);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> allCompleted(survivor, orders)
                        && calls(survivor, "executed") == 1
                        && messages(admin, queue) == 0);

        JdbcTemplate jdbc = survivor.getBean(JdbcTemplate.class);
        if (store.equals("jdbc")) {
            assertExactlyOnce(jdbc, run, orders, beforeCommit, afterCommit);
            assertThat(calls(survivor, "replayed"))
                    .as("the order committed before the kill")
                    .isGreaterThanOrEqualTo(1);
        } else {
            // the write of the killed run stayed (autocommit), and the redelivery ran the order again
            assertThat(writers(jdbc, run, beforeCommit)).containsExactlyInAnyOrder("killed", "survivor");
            orders.stream()
                    .filter(id -> !id.equals(beforeCommit))
                    .forEach(id -> assertThat(writers(jdbc, run, id)).as(id).containsExactly("killed"));
        }
        assertThat(calls(survivor, "executed")).isEqualTo(1);
        assertThat(calls(survivor, "failed")).isZero();
        assertThat(calls(survivor, "key_reuse")).isZero();
    }

    @Test
    void aKafkaConsumerKilledBetweenTheWriteAndTheOffsetCommit() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "idempotent-crash-" + run;
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 2, topic);
        broker.afterPropertiesSet();
        try {
            List<String> orders = orders(run);
            // the last record of each partition (even orders on partition 0, odd on 1), each read by a consumer
            // thread of its own: everything before them is processed and its offsets committed
            String beforeCommit = orders.get(ORDERS - 2);
            String afterCommit = orders.get(ORDERS - 1);
            List<String> properties = properties(
                    "jdbc",
                    run,
                    "test.topic=" + topic,
                    "spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                    "spring.kafka.consumer.group-id=crash-" + run,
                    "spring.kafka.consumer.auto-offset-reset=earliest",
                    "spring.kafka.consumer.max-poll-records=4",
                    "spring.kafka.consumer.fetch-max-wait=50ms",
                    "logging.level.org.apache.kafka=WARN",
                    "logging.level.kafka=WARN",
                    "logging.level.state.change.logger=WARN");

            // the consumer JVM starts while the second consumer starts here
            Process consumer = startConsumer(
                    properties,
                    "test.consumer=killed",
                    "test.kafka=true",
                    "test.crash-before-commit=" + beforeCommit,
                    "test.crash-after-commit=" + afterCommit);
            ConfigurableApplicationContext survivor = start(properties, "test.consumer=survivor");
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> kafka = survivor.getBean(KafkaTemplate.class);
            for (int i = 0; i < orders.size(); i++) {
                kafka.send(topic, i % 2, orders.get(i), "{\"order\":\"" + orders.get(i) + "\"}");
            }
            kafka.flush();
            killAtTheCrashPoints(consumer, survivor, orders, beforeCommit, afterCommit);

            KafkaListenerEndpointRegistry registry = survivor.getBean(KafkaListenerEndpointRegistry.class);
            registry.getListenerContainer("crash-kafka-0").start();
            registry.getListenerContainer("crash-kafka-1").start();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> allCompleted(survivor, orders)
                            && calls(survivor, "executed") == 1
                            && calls(survivor, "replayed") >= 1);
            TimeUnit.MILLISECONDS.sleep(500);

            assertExactlyOnce(survivor.getBean(JdbcTemplate.class), run, orders, beforeCommit, afterCommit);
            assertThat(calls(survivor, "executed")).isEqualTo(1);
            assertThat(calls(survivor, "failed")).isZero();
            assertThat(calls(survivor, "key_reuse")).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            killTheConsumersAndCloseTheContexts();
            consumers.clear();
            contexts.clear();
            broker.destroy();
        }
    }

    /**
     * Waits until the consumer stopped at its crash points and completed every other order, then kills it:
     * one order written but not committed (or, on Redis, not recorded), one committed but not acknowledged.
     */
    private void killAtTheCrashPoints(
            Process consumer,
            ConfigurableApplicationContext survivor,
            List<String> orders,
            String beforeCommit,
            String afterCommit) {
        Path output = output(consumer);
        Awaitility.await()
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    String log = read(output);
                    assertThat(consumer.isAlive())
                            .as("the consumer JVM exited early:%n%s", log)
                            .isTrue();
                    return log.contains("CRASH-POINT before-commit " + beforeCommit)
                            && (afterCommit.isEmpty() || log.contains("CRASH-POINT after-commit " + afterCommit));
                });
        IdempotencyStore store = survivor.getBean(IdempotencyStore.class);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        orders.stream().filter(id -> !id.equals(beforeCommit)).allMatch(id -> completed(store, id)));
        assertThat(completed(store, beforeCommit)).isFalse();
        killTree(consumer);
        assertThat(consumer.isAlive()).isFalse();
    }

    private static void assertExactlyOnce(
            JdbcTemplate jdbc, String run, List<String> orders, String beforeCommit, String afterCommit) {
        // the write of the killed run rolled back with its session; the redelivery wrote it once
        assertThat(writers(jdbc, run, beforeCommit)).containsExactly("survivor");
        // committed with its record before the kill: the redelivery replayed it
        assertThat(writers(jdbc, run, afterCommit)).containsExactly("killed");
        for (String id : orders) {
            assertThat(writers(jdbc, run, id)).as(id).hasSize(1);
        }
    }

    private List<String> properties(String store, String run, String... more) {
        List<String> properties = new ArrayList<>(TestServers.nodeProperties(
                store,
                TABLE,
                "test.run=" + run,
                "test.queue=idempotent-crash-unused",
                "test.topic=idempotent-crash-unused",
                "spring.rabbitmq.host=127.0.0.1",
                "spring.rabbitmq.port=5672",
                "idempotency.jdbc.complete-in-transaction=" + store.equals("jdbc"),
                "logging.level.org.springframework.amqp.rabbit=OFF",
                "logging.level.org.springframework.kafka=WARN"));
        properties.addAll(List.of(more));
        return properties;
    }

    private ConfigurableApplicationContext start(List<String> properties, String... more) {
        List<String> all = new ArrayList<>(properties);
        all.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(all.toArray(String[]::new))
                .run();
        contexts.add(context);
        return context;
    }

    /** Starts {@link Consumer} in a JVM of its own, its output in a file of the test's directory. */
    private Process startConsumer(List<String> properties, String... more) {
        List<String> command = new ArrayList<>(List.of(
                JAVA,
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-cp",
                CLASSPATH,
                Consumer.class.getName()));
        command.addAll(properties);
        command.addAll(List.of(more));
        File output = dir.resolve("consumer-" + consumers.size() + ".log").toFile();
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            consumers.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path output(Process consumer) {
        return dir.resolve("consumer-" + consumers.indexOf(consumer) + ".log");
    }

    /** SIGKILL to the process and every process below it, by pid; waits until it is gone. */
    static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> orders(String run) {
        return IntStream.range(0, ORDERS).mapToObj(i -> run + "-order-" + i).toList();
    }

    private static boolean completed(IdempotencyStore store, String id) {
        return store.find("crash-orders:" + id)
                .map(IdempotencyRecord::isCompleted)
                .orElse(false);
    }

    private static boolean allCompleted(ConfigurableApplicationContext context, List<String> orders) {
        IdempotencyStore store = context.getBean(IdempotencyStore.class);
        return orders.stream().allMatch(id -> completed(store, id));
    }

    private static List<String> writers(JdbcTemplate jdbc, String run, String id) {
        return jdbc.queryForList(
                "select consumer from listener_crash_orders where run = ? and order_id = ?", String.class, run, id);
    }

    private static long messages(AmqpAdmin admin, String queue) {
        var info = admin.getQueueInfo(queue);
        return info == null ? -1 : info.getMessageCount();
    }

    private static double calls(ConfigurableApplicationContext context, String outcome) {
        Counter counter = context.getBean(MeterRegistry.class)
                .find("idempotency.calls")
                .tag("name", "crash-orders")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** The consumer JVM: the application below, with the properties given as arguments ({@code name=value}). */
    public static final class Consumer {

        private Consumer() {}

        public static void main(String[] args) {
            new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties(args)
                    .run();
        }
    }

    /**
     * Writes a row per run of an order (no unique constraint, so a second run shows), and stops for good at
     * the crash points: after the write of {@code test.crash-before-commit}, and after the commit of
     * {@code test.crash-after-commit}, before the listener returns and the broker is acknowledged.
     */
    public static class CrashOrders {

        private final JdbcTemplate jdbc;

        private final String run;

        private final String consumer;

        private final String crashBeforeCommit;

        private final String crashAfterCommit;

        public CrashOrders(JdbcTemplate jdbc, Environment environment) {
            this.jdbc = jdbc;
            this.run = environment.getRequiredProperty("test.run");
            this.consumer = environment.getRequiredProperty("test.consumer");
            this.crashBeforeCommit = environment.getProperty("test.crash-before-commit", "");
            this.crashAfterCommit = environment.getProperty("test.crash-after-commit", "");
        }

        @RabbitListener(id = "crash-rabbit", queues = "${test.queue}", autoStartup = "${test.rabbit:false}")
        @Idempotent(key = "#message.messageProperties.messageId", name = "crash-orders", lease = "3s")
        public void onMessage(Message message) {
            process(message.getMessageProperties().getMessageId());
        }

        /**
         * Partition 0, assigned rather than subscribed: a consumer that takes over after the kill reads from the
         * group's committed offset at once, without waiting for the group to notice that the killed one is gone.
         */
        @KafkaListener(
                id = "crash-kafka-0",
                idIsGroup = false,
                autoStartup = "${test.kafka:false}",
                topicPartitions = @TopicPartition(topic = "${test.topic}", partitions = "0"))
        @Idempotent(key = "#record.key()", name = "crash-orders", lease = "3s")
        public void onRecord0(ConsumerRecord<String, String> record) {
            process(record.key());
        }

        /** Partition 1, on a consumer thread of its own. */
        @KafkaListener(
                id = "crash-kafka-1",
                idIsGroup = false,
                autoStartup = "${test.kafka:false}",
                topicPartitions = @TopicPartition(topic = "${test.topic}", partitions = "1"))
        @Idempotent(key = "#record.key()", name = "crash-orders", lease = "3s")
        public void onRecord1(ConsumerRecord<String, String> record) {
            process(record.key());
        }

        private void process(String id) {
            jdbc.update(
                    "insert into listener_crash_orders (run, order_id, consumer) values (?, ?, ?)", run, id, consumer);
            if (id.equals(crashBeforeCommit)) {
                stopHere("before-commit", id);
            }
            if (id.equals(crashAfterCommit)) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        stopHere("after-commit", id);
                    }
                });
            }
        }

        /** Says so, then waits to be killed. */
        private static void stopHere(String point, String id) {
            System.out.println("CRASH-POINT " + point + " " + id);
            System.out.flush();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // only SIGKILL ends this
                }
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(CrashOrders.class)
    static class App {

        @Bean
        Queue crashQueue(Environment environment) {
            return QueueBuilder.nonDurable(environment.getRequiredProperty("test.queue"))
                    .expires(120_000)
                    .build();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        CrashTable crashTable(JdbcTemplate jdbc) {
            jdbc.execute("create table if not exists listener_crash_orders (run varchar(16) not null,"
                    + " order_id varchar(64) not null, consumer varchar(16) not null)");
            return new CrashTable();
        }

        static class CrashTable {}
    }
}
