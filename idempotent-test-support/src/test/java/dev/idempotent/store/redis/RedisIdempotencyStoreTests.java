package dev.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.RecordStatus;
import dev.idempotent.test.IdempotencyStoreContractTests;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.ClusterSlotHashUtil;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The store contract against a real Redis ({@code IDEMPOTENCY_TEST_REDIS_HOST} / {@code _PORT}, default
 * 127.0.0.1:6379), plus what only Redis has: key TTLs, scripts, eviction policy, pipelines.
 */
class RedisIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private static final String HOST = env("IDEMPOTENCY_TEST_REDIS_HOST", "127.0.0.1");

    private static final int PORT = Integer.parseInt(env("IDEMPOTENCY_TEST_REDIS_PORT", "6379"));

    /** Unique per run, so that runs sharing a server never see each other's keys. */
    private static final String PREFIX = "idempotency-test:" + UUID.randomUUID() + ":";

    private static final List<LettuceConnectionFactory> factories = new ArrayList<>();

    private static LettuceConnectionFactory factory;

    @BeforeAll
    static void connect() {
        quiet("io.lettuce", "io.netty", "reactor", "org.springframework");
        factory = factory(HOST, PORT, Duration.ofSeconds(2), null);
    }

    @AfterAll
    static void cleanUpAndClose() {
        try (RedisConnection connection = factory.getConnection();
                Cursor<byte[]> keys = connection
                        .keyCommands()
                        .scan(ScanOptions.scanOptions()
                                .match(PREFIX + "*")
                                .count(1000)
                                .build())) {
            List<byte[]> found = new ArrayList<>();
            keys.forEachRemaining(found::add);
            if (!found.isEmpty()) {
                connection.keyCommands().del(found.toArray(byte[][]::new));
            }
        } finally {
            factories.forEach(LettuceConnectionFactory::destroy);
        }
    }

    @Override
    protected IdempotencyStore createStore() {
        return new RedisIdempotencyStore(factory, PREFIX);
    }

    @Override
    protected IdempotencyStore createUnreachableStore() {
        // Nothing listens on port 1 of the loopback: connections are refused at once.
        return new RedisIdempotencyStore(factory("127.0.0.1", 1, Duration.ofMillis(500), null), PREFIX);
    }

    @Test
    void theKeyExpiresWithTheLeaseThenWithTheTtl() {
        String key = key("pttl");
        String owner = token();

        IdempotencyRecord claimed =
                store.claim(key, "fp", owner, Duration.ofSeconds(20)).record();
        assertThat(pttl(key)).isBetween(18_000L, 20_000L);
        assertThat(claimed.leaseExpiresAt()).isEqualTo(claimed.expiresAt());
        assertThat(Duration.between(claimed.createdAt(), claimed.expiresAt())).isEqualTo(Duration.ofSeconds(20));

        assertThat(store.renew(key, owner, Duration.ofSeconds(40))).isTrue();
        assertThat(pttl(key)).isBetween(38_000L, 40_000L);
        IdempotencyRecord renewed = store.find(key).orElseThrow();
        assertThat(renewed.leaseExpiresAt()).isEqualTo(renewed.expiresAt()).isAfter(claimed.expiresAt());
        assertThat(renewed.createdAt()).isEqualTo(claimed.createdAt());

        assertThat(store.complete(key, owner, bytes("done"), Duration.ofHours(2)))
                .isTrue();
        assertThat(pttl(key))
                .isBetween(
                        Duration.ofHours(2).toMillis() - 2_000,
                        Duration.ofHours(2).toMillis());
        IdempotencyRecord completed = store.find(key).orElseThrow();
        assertThat(completed.status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(completed.leaseExpiresAt()).isNull();
        assertThat(Duration.between(serverTime(), completed.expiresAt()))
                .isBetween(Duration.ofHours(2).minusSeconds(2), Duration.ofHours(2));
    }

    @Test
    void timestampsComeFromTheServerClock() {
        Instant before = serverTime();
        IdempotencyRecord record =
                store.claim(key("clock"), "fp", token(), LEASE).record();
        Instant after = serverTime();

        assertThat(record.createdAt()).isBetween(before.minusMillis(1), after.plusMillis(1));
    }

    @Test
    void binaryPayloadsNullFingerprintsAndEmptyPayloadsRoundTrip() {
        byte[] everyByte = new byte[512];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        String binary = key("binary");
        String owner = token();
        store.claim(binary, null, owner, LEASE);
        assertThat(store.find(binary).orElseThrow().fingerprint()).isNull();
        assertThat(store.complete(binary, owner, everyByte, TTL)).isTrue();
        Claim replay = store.claim(binary, "other", token(), LEASE);
        assertThat(replay.outcome()).isEqualTo(Claim.Outcome.COMPLETED);
        assertThat(replay.record().payload()).isEqualTo(everyByte);
        assertThat(replay.record().fingerprint()).isNull();

        String empty = key("empty");
        String emptyOwner = token();
        store.claim(empty, "fp", emptyOwner, LEASE);
        assertThat(store.complete(empty, emptyOwner, new byte[0], TTL)).isTrue();
        assertThat(store.find(empty).orElseThrow().payload()).isEmpty();
    }

    @Test
    void aPipelinedOrTransactionalConnectionIsAnErrorNeverAClaim() {
        String pipelined = key("pipelined");
        RedisIdempotencyStore inPipeline =
                new RedisIdempotencyStore(wrapping(factory, RedisConnection::openPipeline, false), PREFIX);
        assertThatThrownBy(() -> inPipeline.claim(pipelined, "fp", token(), LEASE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pipelined");

        String queued = key("multi");
        RedisIdempotencyStore inMulti = new RedisIdempotencyStore(
                wrapping(factory, connection -> connection.commands().multi(), false), PREFIX);
        assertThatThrownBy(() -> inMulti.claim(queued, "fp", token(), LEASE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MULTI");

        assertThat(store.find(pipelined)).isEmpty();
        assertThat(store.find(queued)).isEmpty();
    }

    @Test
    void aCallersTransactionOnTheSameFactoryIsNotJoined() {
        String key = key("session");
        String owner = token();
        StringRedisTemplate template = new StringRedisTemplate(factory);

        List<Object> results = template.execute(new SessionCallback<List<Object>>() {
            @Override
            public <K, V> List<Object> execute(RedisOperations<K, V> operations) {
                operations.multi();
                // The caller's own command, queued on the connection bound to this thread.
                template.opsForValue().set(PREFIX + key + ":caller", "queued");
                Claim claim = store.claim(key, "fp", owner, LEASE);
                assertThat(claim.isAcquired()).isTrue();
                assertThat(store.find(key)).isPresent();
                assertThat(template.hasKey(PREFIX + key + ":caller")).isNull();
                return operations.exec();
            }
        });

        assertThat(results).hasSize(2);
        assertThat(template.opsForValue().get(PREFIX + key + ":caller")).isEqualTo("queued");
        assertThat(store.complete(key, owner, bytes("done"), TTL)).isTrue();
    }

    @Test
    void anEmptyAnswerFromAConnectionThatHidesItsPipelineIsAnError() {
        RedisIdempotencyStore hidden =
                new RedisIdempotencyStore(wrapping(factory, RedisConnection::openPipeline, true), PREFIX);
        String key = key("hidden");

        assertThatThrownBy(() -> hidden.claim(key, "fp", token(), LEASE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no answer");
        assertThatThrownBy(() -> hidden.renew(key, token(), LEASE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no answer");
        assertThatThrownBy(() -> hidden.find(key))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no answer");
    }

    @Test
    void aServerThatNeverAnswersFailsWithinTheCommandTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            RedisIdempotencyStore stuck = new RedisIdempotencyStore(
                    factory("127.0.0.1", silent.getLocalPort(), Duration.ofMillis(500), null), PREFIX);

            long started = System.nanoTime();
            assertThatThrownBy(() -> stuck.claim(key("silent"), "fp", token(), LEASE))
                    .isInstanceOf(IdempotencyStoreUnavailableException.class)
                    .hasMessageContaining("Redis failed");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(stuck.checkEvictionPolicy()).isNull();
        }
    }

    @Test
    void anUnreachableServerIsReportedAsUnavailable() {
        IdempotencyStore unreachable = createUnreachableStore();
        long started = System.nanoTime();

        assertThatThrownBy(() -> unreachable.claim(key("refused"), "fp", token(), LEASE))
                .isInstanceOf(IdempotencyStoreUnavailableException.class)
                .hasMessageContaining("claim")
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> unreachable.complete(key("refused"), token(), bytes("x"), TTL))
                .isInstanceOf(IdempotencyStoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.find(key("refused")))
                .isInstanceOf(IdempotencyStoreUnavailableException.class);
        assertThat(((RedisIdempotencyStore) unreachable).checkEvictionPolicy()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theScriptsAreSentAgainAfterTheServerForgetsThem() {
        String key = key("noscript");
        String owner = token();
        assertThat(store.claim(key, "fp", owner, LEASE).isAcquired()).isTrue();
        run(connection -> connection.scriptingCommands().scriptFlush());

        assertThat(store.renew(key, owner, LEASE)).isTrue();
        assertThat(store.complete(key, owner, bytes("done"), TTL)).isTrue();
        assertThat(store.claim(key, "fp", token(), LEASE).outcome()).isEqualTo(Claim.Outcome.COMPLETED);
        List<Boolean> cached = query(connection -> connection
                .scriptingCommands()
                .scriptExists(RedisScripts.CLAIM.sha1(), RedisScripts.COMPLETE.sha1(), RedisScripts.RENEW.sha1()));
        assertThat(cached).containsOnly(true);
    }

    @Test
    void everyRecordIsOneKeyInOneSlotAndTheScriptsTouchOnlyThatKey() {
        Pattern keys = Pattern.compile("KEYS\\[(\\d+)]");
        for (RedisScripts.Script script : RedisScripts.ALL) {
            Matcher matcher = keys.matcher(script.source());
            assertThat(matcher.find()).as(script.name()).isTrue();
            matcher.reset();
            while (matcher.find()) {
                assertThat(matcher.group(1)).as(script.name()).isEqualTo("1");
            }
        }

        String own = PREFIX + "slot:" + UUID.randomUUID() + ":";
        RedisIdempotencyStore isolated = new RedisIdempotencyStore(factory, own);
        String key = "order-{42}-🦄";
        String owner = token();
        isolated.claim(key, "fp", owner, LEASE);
        isolated.renew(key, owner, LEASE);
        isolated.complete(key, owner, bytes("done"), TTL);

        List<byte[]> written = query(connection -> {
            List<byte[]> found = new ArrayList<>();
            try (Cursor<byte[]> cursor = connection
                    .keyCommands()
                    .scan(ScanOptions.scanOptions().match(own + "*").count(1000).build())) {
                cursor.forEachRemaining(found::add);
            }
            return found;
        });
        assertThat(written).hasSize(1);
        assertThat(new String(written.get(0), StandardCharsets.UTF_8)).isEqualTo(own + key);
        assertThat(ClusterSlotHashUtil.calculateSlot(written.get(0)))
                .isEqualTo(ClusterSlotHashUtil.calculateSlot("42"));
    }

    @Test
    void anEvictingPolicyIsReportedWithAWarning() {
        String original = query(connection ->
                connection.serverCommands().getConfig("maxmemory-policy").getProperty("maxmemory-policy"));
        ListAppender<ILoggingEvent> log = capture();
        try {
            setPolicy("allkeys-lru");
            assertThat(((RedisIdempotencyStore) store).checkEvictionPolicy()).isEqualTo("allkeys-lru");
            setPolicy("volatile-ttl");
            assertThat(((RedisIdempotencyStore) store).checkEvictionPolicy()).isEqualTo("volatile-ttl");
            setPolicy("noeviction");
            assertThat(((RedisIdempotencyStore) store).checkEvictionPolicy()).isEqualTo("noeviction");
        } finally {
            setPolicy(original);
            release(log);
        }
        List<String> warnings = log.list.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("allkeys-lru", "noeviction", PREFIX);
        assertThat(warnings.get(1)).contains("volatile-ttl");
    }

    @Test
    void aServerThatRefusesConfigIsToleratedByTheEvictionCheck() {
        String user = "idempotency-test-" + UUID.randomUUID();
        String password = UUID.randomUUID().toString();
        try {
            admin(redis -> redis.aclSetuser(
                    user,
                    AclSetuserArgs.Builder.on()
                            .addPassword(password)
                            .allKeys()
                            .allChannels()
                            .allCommands()
                            .removeCommand(CommandType.CONFIG)));
        } catch (RuntimeException e) {
            assumeTrue(false, "this server does not let the test create an ACL user: " + e);
        }
        ListAppender<ILoggingEvent> log = capture();
        try {
            RedisIdempotencyStore restricted = new RedisIdempotencyStore(
                    factory(HOST, PORT, Duration.ofSeconds(2), configuration -> {
                        configuration.setUsername(user);
                        configuration.setPassword(password);
                    }),
                    PREFIX);

            assertThat(restricted.checkEvictionPolicy()).isNull();

            String key = key("acl");
            String owner = token();
            assertThat(restricted.claim(key, "fp", owner, LEASE).isAcquired()).isTrue();
            assertThat(restricted.complete(key, owner, bytes("ok"), TTL)).isTrue();
        } finally {
            release(log);
            admin(redis -> redis.aclDeluser(user));
        }
        assertThat(log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(log.list)
                .anyMatch(event -> event.getLevel() == Level.DEBUG
                        && event.getFormattedMessage().contains("maxmemory-policy")
                        && event.getFormattedMessage().contains("NOPERM"));
    }

    @Test
    void rejectsKeysThatAreNotValidUnicodeAndNonPositiveDurations() {
        assertThatThrownBy(() -> store.claim(key("surrogate") + "\uD800", "fp", token(), LEASE))
                .isInstanceOf(dev.idempotent.InvalidIdempotencyKeyException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> store.claim(key("zero"), "fp", token(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
    }

    // --- helpers

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static LettuceConnectionFactory factory(
            String host, int port, Duration timeout, Consumer<RedisStandaloneConfiguration> customizer) {
        RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(host, port);
        if (customizer != null) {
            customizer.accept(configuration);
        }
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(timeout)
                .shutdownTimeout(Duration.ZERO)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(
                                SocketOptions.builder().connectTimeout(timeout).build())
                        .build())
                .build();
        LettuceConnectionFactory created = new LettuceConnectionFactory(configuration, client);
        created.afterPropertiesSet();
        created.start();
        factories.add(created);
        return created;
    }

    /**
     * A factory whose connections are prepared by {@code prepare} (opening a pipeline or a transaction), and
     * that, if {@code hide}, claims they are plain connections, as a careless wrapper would.
     */
    private static RedisConnectionFactory wrapping(
            RedisConnectionFactory target, Consumer<RedisConnection> prepare, boolean hide) {
        return (RedisConnectionFactory) Proxy.newProxyInstance(
                RedisIdempotencyStoreTests.class.getClassLoader(),
                new Class<?>[] {RedisConnectionFactory.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    RedisConnection connection = (RedisConnection) result;
                    prepare.accept(connection);
                    if (!hide) {
                        return connection;
                    }
                    return Proxy.newProxyInstance(
                            RedisIdempotencyStoreTests.class.getClassLoader(),
                            new Class<?>[] {RedisConnection.class},
                            (p, m, a) -> switch (m.getName()) {
                                case "isPipelined", "isQueueing" -> false;
                                default -> invoke(connection, m, a);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static <T> T query(Function<RedisConnection, T> action) {
        try (RedisConnection connection = factory.getConnection()) {
            return action.apply(connection);
        }
    }

    private static void run(Consumer<RedisConnection> action) {
        try (RedisConnection connection = factory.getConnection()) {
            action.accept(connection);
        }
    }

    /** Server administration the store never needs, on a plain Lettuce client. */
    private static <T> T admin(Function<RedisCommands<String, String>, T> action) {
        RedisClient client = RedisClient.create(RedisURI.Builder.redis(HOST, PORT)
                .withTimeout(Duration.ofSeconds(2))
                .build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return action.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static long pttl(String key) {
        return query(connection -> connection.keyCommands().pTtl(utf8(PREFIX + key)));
    }

    private static Instant serverTime() {
        return Instant.ofEpochMilli(
                query(connection -> connection.serverCommands().time()));
    }

    private static void setPolicy(String policy) {
        run(connection -> connection.serverCommands().setConfig("maxmemory-policy", policy));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisIdempotencyStore.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisIdempotencyStore.class);
        logger.detachAppender(appender);
        logger.setLevel(null);
    }

    private static void quiet(String... loggers) {
        for (String name : loggers) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.INFO);
        }
    }
}
