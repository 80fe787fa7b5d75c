package dev.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.store.RecordStatus;
import dev.idempotent.test.IdempotencyStoreContractTests;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The store contract against a real Redis for the reactive store (each step awaited through
 * {@link ReactiveIdempotencyStore#blocking()}), its steps as {@link StepVerifier} sees them, and the keys it
 * shares with the blocking store.
 */
class ReactiveRedisIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private static final String HOST = env("IDEMPOTENCY_TEST_REDIS_HOST", "127.0.0.1");

    private static final int PORT = Integer.parseInt(env("IDEMPOTENCY_TEST_REDIS_PORT", "6379"));

    private static final String PREFIX = "idempotency-reactive-test:" + UUID.randomUUID() + ":";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final List<LettuceConnectionFactory> factories = new ArrayList<>();

    private static LettuceConnectionFactory factory;

    private ReactiveRedisIdempotencyStore reactive;

    @BeforeAll
    static void connect() {
        factory = factory(HOST, PORT, Duration.ofSeconds(2));
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
        reactive = new ReactiveRedisIdempotencyStore(factory, PREFIX);
        return reactive.blocking();
    }

    @Override
    protected IdempotencyStore createUnreachableStore() {
        // Nothing listens on port 1 of the loopback: connections are refused at once.
        return new ReactiveRedisIdempotencyStore(factory("127.0.0.1", 1, Duration.ofMillis(500)), PREFIX).blocking();
    }

    @Test
    void eachStepIsAMonoThatDoesNothingUntilSubscribed() {
        String key = key("lazy");
        String owner = token();
        Mono<Claim> claim = reactive.claim(key, "fp", owner, LEASE);

        StepVerifier.create(reactive.find(key)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(claim)
                .assertNext(c -> assertThat(c.isAcquired()).isTrue())
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(reactive.claim(key, "fp", token(), LEASE))
                .assertNext(c -> assertThat(c.outcome()).isEqualTo(Claim.Outcome.IN_FLIGHT))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(reactive.complete(key, owner, bytes("done"), TTL))
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(reactive.find(key))
                .assertNext(record -> {
                    assertThat(record.status()).isEqualTo(RecordStatus.COMPLETED);
                    assertThat(record.payload()).isEqualTo(bytes("done"));
                })
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(reactive.delete(key))
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void stepsRunOnANonBlockingThreadWithoutWaitingOnIt() {
        // Reactor refuses block() on its parallel (non-blocking) threads: a step that waited would fail here
        String key = key("nonblocking");
        String owner = token();
        Mono<Boolean> steps = reactive.claim(key, "fp", owner, LEASE)
                .then(reactive.renew(key, owner, LEASE))
                .then(reactive.complete(key, owner, bytes("x"), TTL))
                .subscribeOn(Schedulers.parallel())
                .publishOn(Schedulers.parallel())
                .doOnNext(done -> assertThat(Schedulers.isInNonBlockingThread()).isTrue());

        StepVerifier.create(steps).expectNext(true).expectComplete().verify(TIMEOUT);
    }

    @Test
    void theBlockingAndTheReactiveStoreShareKeysAndRecords() {
        RedisIdempotencyStore blocking = new RedisIdempotencyStore(factory, PREFIX);
        String key = key("shared");
        String owner = token();

        assertThat(blocking.claim(key, "fp", owner, LEASE).isAcquired()).isTrue();
        StepVerifier.create(reactive.claim(key, "fp", token(), LEASE))
                .assertNext(claim -> {
                    assertThat(claim.outcome()).isEqualTo(Claim.Outcome.IN_FLIGHT);
                    assertThat(claim.record().isOwnedBy(owner)).isTrue();
                })
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(reactive.complete(key, owner, bytes("from reactive"), TTL))
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);

        IdempotencyRecord record = blocking.find(key).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(record.payload()).isEqualTo(bytes("from reactive"));
        assertThat(blocking.claim(key, "fp", token(), LEASE).record()).isEqualTo(record);
    }

    @Test
    void anUnreachableServerIsATransientStoreFailure() {
        ReactiveRedisIdempotencyStore unreachable =
                new ReactiveRedisIdempotencyStore(factory("127.0.0.1", 1, Duration.ofMillis(500)), PREFIX);

        StepVerifier.create(unreachable.claim(key("down"), "fp", token(), LEASE))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IdempotencyStoreUnavailableException.class)
                        .satisfies(failure -> assertThat(((IdempotencyStoreUnavailableException) failure).isTransient())
                                .isTrue()))
                .verify(TIMEOUT);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static LettuceConnectionFactory factory(String host, int port, Duration timeout) {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(timeout)
                .shutdownTimeout(Duration.ZERO)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(
                                SocketOptions.builder().connectTimeout(timeout).build())
                        .build())
                .build();
        LettuceConnectionFactory created =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        created.afterPropertiesSet();
        created.start();
        factories.add(created);
        return created;
    }
}
