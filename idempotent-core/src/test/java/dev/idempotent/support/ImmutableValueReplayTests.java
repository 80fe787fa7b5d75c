package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A replay of the same stored bytes returns the instance decoded before only when the declared type is
 * deeply immutable; anything a caller could change is decoded afresh for each replay.
 */
class ImmutableValueReplayTests {

    private static final JsonMapper MAPPER =
            JsonMapper.builder().findAndAddModules().build();

    record Receipt(String reference, BigDecimal amount, Instant at, Optional<Status> status) {}

    enum Status {
        PAID
    }

    record Basket(String reference, List<String> items) {}

    record Nested(Receipt receipt, long count) {}

    private static Object replayTwice(java.lang.reflect.Type type, Object value, boolean sameInstance)
            throws Throwable {
        JsonResultCodec codec = JsonResultCodec.forType(MAPPER, type, new Class[0], "Test.op()");
        byte[] payload = codec.encodeValue(value);
        Object first = codec.decode(payload);
        Object second = codec.decode(payload);
        assertThat(first).isEqualTo(value);
        assertThat(second).isEqualTo(value);
        if (sameInstance) {
            assertThat(second).isSameAs(first);
        } else {
            assertThat(second).isNotSameAs(first);
        }
        // equal bytes read again (from a server store) are the same stored value
        Object again = codec.decode(payload.clone());
        assertThat(again).isEqualTo(value);
        if (sameInstance) {
            assertThat(again).isSameAs(first);
        } else {
            assertThat(again).isNotSameAs(first);
        }
        return first;
    }

    @Test
    void deeplyImmutableValuesAreDecodedOncePerStoredPayload() throws Throwable {
        replayTwice(
                Receipt.class,
                new Receipt(
                        "r-1",
                        new BigDecimal("19.990"),
                        Instant.parse("2026-11-30T10:15:30.123456789Z"),
                        Optional.of(Status.PAID)),
                true);
        replayTwice(
                Nested.class, new Nested(new Receipt("r-2", BigDecimal.TEN, Instant.EPOCH, Optional.empty()), 3), true);
        replayTwice(String.class, new String("text"), true);

        JsonResultCodec codec = JsonResultCodec.forType(MAPPER, String.class, new Class[0], "Test.op()");
        Object first = codec.decode(codec.encodeValue("one"));
        assertThat(codec.decode(codec.encodeValue("two")))
                .as("other bytes are decoded afresh")
                .isEqualTo("two");
        assertThat(first).isEqualTo("one");
    }

    @Test
    void valuesACallerCouldChangeAreDecodedAfreshEachTime() throws Throwable {
        replayTwice(Basket.class, new Basket("b-1", List.of("book")), false);
        replayTwice(
                MAPPER.getTypeFactory().constructCollectionType(List.class, String.class), List.of("a", "b"), false);
    }
}
