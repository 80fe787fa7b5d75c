package dev.idempotent.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.ResultCodec;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A record outlives a deploy (its ttl is a day by default): these tests write it with one method
 * signature and read it with the next one, sharing one store, as two versions of an application would.
 * No replay after a return-type change returns {@code null} or a half-filled object: it throws
 * {@link IdempotencyReplayException} naming the key, the stored type and the expected type, and
 * {@code @Idempotent(version = "2")} starts a key space where the method runs again.
 */
class ReturnTypeChangeAcrossDeploysTests {

    private static final JsonMapper MAPPER =
            JsonMapper.builder().findAndAddModules().build();

    private final IdempotencyStore store = new CaffeineIdempotencyStore();

    private final IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);

    private static final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void close() {
        engine.close();
    }

    public record Receipt(String reference, long amount) {}

    public record Refund(String reference, long amount) {}

    public static class Declined extends RuntimeException {
        public Declined(String message) {
            super(message);
        }
    }

    /** Deploy 1. */
    public static class OrdersV1 {
        @Idempotent(name = "orders", key = "#id")
        public void place(String id) {
            runs.incrementAndGet();
        }

        @Idempotent(name = "receipts", key = "#id")
        public Receipt receipt(String id) {
            runs.incrementAndGet();
            return new Receipt(id, 1999);
        }

        @Idempotent(name = "lists", key = "#id")
        public List<Receipt> list(String id) {
            runs.incrementAndGet();
            return List.of(new Receipt(id, 1));
        }

        @Idempotent(name = "payments", key = "#id", storeExceptions = Declined.class)
        public Receipt pay(String id) {
            runs.incrementAndGet();
            throw new Declined("card declined");
        }
    }

    /** Deploy 2: the same names and keys, other return types. */
    public static class OrdersV2 {
        @Idempotent(name = "orders", key = "#id")
        public Receipt place(String id) {
            runs.incrementAndGet();
            return new Receipt(id, 5);
        }

        @Idempotent(name = "receipts", key = "#id")
        public void receipt(String id) {
            runs.incrementAndGet();
        }

        @Idempotent(name = "lists", key = "#id")
        public List<Refund> list(String id) {
            runs.incrementAndGet();
            return List.of();
        }

        @Idempotent(name = "payments", key = "#id")
        public Receipt pay(String id) {
            runs.incrementAndGet();
            return new Receipt(id, 0);
        }
    }

    /** Deploy 3: the change made on purpose, in a new key space. */
    public static class OrdersV3 {
        @Idempotent(name = "orders", key = "#id", version = "2")
        public Receipt place(String id) {
            runs.incrementAndGet();
            return new Receipt(id, 5);
        }
    }

    private <T> T deploy(T target) {
        IdempotentOperationSource operations =
                new IdempotentOperationSource(IdempotencyDefaults.STANDARD, MAPPER, null);
        ProxyFactory factory = new ProxyFactory(target);
        factory.setProxyTargetClass(true);
        factory.addAdvice(new IdempotencyInterceptor(operations, engine, store, new Fingerprints(MAPPER), null));
        @SuppressWarnings("unchecked")
        T proxy = (T) factory.getProxy();
        return proxy;
    }

    @Test
    void voidThenAValueIsNotReplayedAsNull() {
        deploy(new OrdersV1()).place("o-1");
        OrdersV2 v2 = deploy(new OrdersV2());

        assertThatThrownBy(() -> v2.place("o-1"))
                .isInstanceOfSatisfying(IdempotencyReplayException.class, e -> {
                    assertThat(e.getKey()).isEqualTo("orders:o-1");
                    assertThat(e.getStoredType()).isEqualTo("void");
                    assertThat(e.getExpectedType()).isEqualTo(Receipt.class.getName());
                })
                .hasMessageContaining("Key 'orders:o-1' of OrdersV2.place(String)")
                .hasMessageContaining("stored as void, but the operation now returns " + Receipt.class.getName())
                .hasMessageContaining("@Idempotent(version = \"2\")");
    }

    @Test
    void aNewVersionStartsANewKeySpace() {
        deploy(new OrdersV1()).place("o-2");
        runs.set(0);

        Receipt receipt = deploy(new OrdersV3()).place("o-2");

        assertThat(receipt).isEqualTo(new Receipt("o-2", 5));
        assertThat(runs).hasValue(1);
        assertThat(store.find("orders@2:o-2")).isPresent();
    }

    @Test
    void aValueThenVoidIsNotSilentlyDropped() {
        deploy(new OrdersV1()).receipt("r-1");

        assertThatThrownBy(() -> deploy(new OrdersV2()).receipt("r-1"))
                .isInstanceOfSatisfying(IdempotencyReplayException.class, e -> {
                    assertThat(e.getStoredType()).isEqualTo(Receipt.class.getName());
                    assertThat(e.getExpectedType()).isEqualTo("void");
                });
    }

    @Test
    void aListOfOneTypeIsNotReplayedAsAListOfAnother() {
        deploy(new OrdersV1()).list("l-1");

        assertThatThrownBy(() -> deploy(new OrdersV2()).list("l-1"))
                .isInstanceOfSatisfying(IdempotencyReplayException.class, e -> {
                    assertThat(e.getStoredType()).isEqualTo("java.util.List<" + Receipt.class.getName() + ">");
                    assertThat(e.getExpectedType()).isEqualTo("java.util.List<" + Refund.class.getName() + ">");
                });
    }

    @Test
    void aStoredExceptionNoLongerInStoreExceptionsIsNotReplayed() {
        OrdersV1 v1 = deploy(new OrdersV1());
        assertThatThrownBy(() -> v1.pay("p-1")).isInstanceOf(Declined.class);
        assertThatThrownBy(() -> v1.pay("p-1")).isInstanceOf(Declined.class).hasMessage("card declined");

        assertThatThrownBy(() -> deploy(new OrdersV2()).pay("p-1"))
                .isInstanceOfSatisfying(
                        IdempotencyReplayException.class,
                        e -> assertThat(e.getStoredType()).isEqualTo(Declined.class.getName()))
                .hasMessageContaining("no longer among the storeExceptions []");
    }

    // The class of a record changes in place (same name, other fields). One JVM cannot hold both versions
    // of a class, so the first deploy writes with a class of another name and the payload names the class
    // of the second deploy, exactly as the edited class would have found it.

    record ReceiptWithAmount(String reference, long amount) {}

    record ReceiptWithTotal(String reference, long total) {}

    record ReceiptWithTextAmount(String reference, String amount) {}

    record ReceiptWithNumericReference(long reference, long amount) {}

    record ReceiptWithNote(String reference, long amount, String note) {}

    @Test
    void aRenamedRecordFieldIsNotReplayedHalfFilled() {
        assertSameClassEditedIsRefused(new ReceiptWithAmount("R-1", 1999), ReceiptWithTotal.class, "total");
    }

    @Test
    void aRetypedRecordFieldIsNotReplayedCoerced() {
        assertSameClassEditedIsRefused(new ReceiptWithAmount("R-2", 1999), ReceiptWithTextAmount.class, "amount");
        assertSameClassEditedIsRefused(
                new ReceiptWithAmount("R-3", 1999), ReceiptWithNumericReference.class, "reference");
    }

    @Test
    void anAddedRecordFieldIsNotReplayedAsNull() {
        assertSameClassEditedIsRefused(new ReceiptWithAmount("R-4", 1999), ReceiptWithNote.class, "note");
    }

    @Test
    void aStoredExceptionWhoseClassNoLongerExistsIsNotReplayed() throws Throwable {
        JsonResultCodec codec = codec(Receipt.class, Declined.class);
        ResultCodec gone = editedPayload(codec, Declined.class.getName(), "com.example.payments.CardDeclinedException");
        IdempotencyRequest write = request("gone", gone);
        assertThatThrownBy(() -> engine.execute(write, () -> {
                    throw new Declined("card declined");
                }))
                .isInstanceOf(Declined.class);

        assertThatThrownBy(() -> engine.execute(request("gone", codec), () -> new Receipt("x", 1)))
                .isInstanceOfSatisfying(IdempotencyReplayException.class, e -> {
                    assertThat(e.getKey()).isEqualTo("gone");
                    assertThat(e.getStoredType()).isEqualTo("com.example.payments.CardDeclinedException");
                })
                .hasMessageContaining("(or no longer exists)");
    }

    /** Stores {@code original}, then replays it as if its class had become {@code after} (same name). */
    private void assertSameClassEditedIsRefused(Object original, Class<?> after, String property) {
        Class<?> before = original.getClass();
        String key = before.getSimpleName() + "->" + after.getSimpleName() + ":" + original;
        JsonResultCodec read = codec(after);
        ResultCodec write = editedPayload(codec(before), before.getName(), after.getName());
        try {
            engine.execute(request(key, write), () -> original);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }

        assertThatThrownBy(() -> engine.execute(request(key, read), () -> {
                    throw new AssertionError("ran again");
                }))
                .isInstanceOfSatisfying(IdempotencyReplayException.class, e -> {
                    assertThat(e.getKey()).isEqualTo(key);
                    assertThat(e.getStoredType()).isEqualTo(after.getName());
                    assertThat(e.getExpectedType()).isEqualTo(after.getName());
                })
                .hasMessageContaining("no longer fits " + after.getName() + " at '" + property + "'");
    }

    @SafeVarargs
    private static JsonResultCodec codec(Type type, Class<? extends Throwable>... storeExceptions) {
        return JsonResultCodec.forType(MAPPER, type, storeExceptions, "Deploy.op()");
    }

    private IdempotencyRequest request(String key, ResultCodec codec) {
        return new IdempotencyRequest(
                "deploy",
                store,
                key,
                "fp",
                Duration.ofMinutes(10),
                Duration.ofMinutes(1),
                OnInFlight.REJECT,
                Duration.ofSeconds(1),
                codec,
                "Deploy.op()");
    }

    /** Writes what {@code codec} writes, with the name {@code from} replaced by {@code to}. */
    private static ResultCodec editedPayload(JsonResultCodec codec, String from, String to) {
        return new ResultCodec() {
            @Override
            public byte[] encodeValue(Object value) {
                return edit(codec.encodeValue(value));
            }

            @Override
            public byte[] encodeFailure(Throwable failure) {
                byte[] payload = codec.encodeFailure(failure);
                return payload == null ? null : edit(payload);
            }

            @Override
            public Object decode(byte[] payload) throws Throwable {
                return codec.decode(payload);
            }

            private byte[] edit(byte[] payload) {
                String json = new String(payload, StandardCharsets.UTF_8);
                assertThat(json).contains("\"" + from + "\"");
                return json.replace("\"" + from + "\"", "\"" + to + "\"").getBytes(StandardCharsets.UTF_8);
            }
        };
    }
}
