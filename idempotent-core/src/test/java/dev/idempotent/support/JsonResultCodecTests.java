package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyReplayException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

class JsonResultCodecTests {

    private final JsonMapper mapper = JsonMapper.builder().build();

    record Item(String name, int count) {}

    interface Shape {}

    @SuppressWarnings("unchecked")
    private static final Class<? extends Throwable>[] NONE = new Class[0];

    private JsonResultCodec codec(ParameterizedTypeReference<?> type) {
        return JsonResultCodec.forType(mapper, type.getType(), NONE, "Test.op()");
    }

    private Object roundTrip(ParameterizedTypeReference<?> type, Object value) throws Throwable {
        JsonResultCodec codec = codec(type);
        return codec.decode(codec.encodeValue(value));
    }

    @Test
    void genericCollectionsComeBackTyped() throws Throwable {
        List<Item> items = List.of(new Item("a", 1), new Item("b", 2));
        Object back = roundTrip(new ParameterizedTypeReference<List<Item>>() {}, items);
        assertThat(back).isEqualTo(items);
        assertThat(((List<?>) back).get(0)).isInstanceOf(Item.class).isNotSameAs(items.get(0));

        Map<String, Item> map = Map.of("x", new Item("x", 3));
        assertThat(roundTrip(new ParameterizedTypeReference<Map<String, Item>>() {}, map))
                .isEqualTo(map);
    }

    @Test
    void optionalsPrimitivesAndNullsComeBack() throws Throwable {
        assertThat(roundTrip(new ParameterizedTypeReference<Optional<Item>>() {}, Optional.of(new Item("o", 1))))
                .isEqualTo(Optional.of(new Item("o", 1)));
        assertThat(roundTrip(new ParameterizedTypeReference<Optional<Item>>() {}, Optional.empty()))
                .isEqualTo(Optional.empty());
        JsonResultCodec ints = JsonResultCodec.forType(mapper, int.class, NONE, "Test.op()");
        assertThat(ints.decode(ints.encodeValue(42))).isEqualTo(42);
        assertThat(roundTrip(new ParameterizedTypeReference<String>() {}, null)).isNull();
    }

    @Test
    void responseEntitiesKeepStatusHeadersAndBody() throws Throwable {
        ResponseEntity<Item> entity = ResponseEntity.status(HttpStatus.CREATED)
                .header("Location", "/items/1")
                .eTag("\"v1\"")
                .body(new Item("i", 1));
        ResponseEntity<?> back =
                (ResponseEntity<?>) roundTrip(new ParameterizedTypeReference<ResponseEntity<Item>>() {}, entity);
        assertThat(back.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(back.getHeaders().getFirst("Location")).isEqualTo("/items/1");
        assertThat(back.getHeaders().getETag()).isEqualTo("\"v1\"");
        assertThat(back.getBody()).isEqualTo(new Item("i", 1));
    }

    @Test
    void futuresAreReplayedAsCompletedFutures() throws Throwable {
        JsonResultCodec codec = codec(new ParameterizedTypeReference<CompletableFuture<Item>>() {});
        CompletableFuture<Item> running = new CompletableFuture<>();
        assertThat(codec.pending(running)).isSameAs(running);
        Object back = codec.decode(codec.encodeValue(new Item("f", 1)));
        assertThat(back).isInstanceOf(CompletableFuture.class);
        assertThat(((CompletableFuture<?>) back).join()).isEqualTo(new Item("f", 1));
    }

    @Test
    void typesThatCannotBeReadBackAreRejectedByName() {
        assertThatThrownBy(() -> JsonResultCodec.forType(mapper, Object.class, NONE, "Test.op()"))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Test.op() returns java.lang.Object");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<List<Shape>>() {}))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Shape")
                .hasMessageContaining("abstract");
        assertThatThrownBy(() -> JsonResultCodec.forType(mapper, InputStream.class, NONE, "Test.op()"))
                .hasMessageContaining("InputStream");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Stream<Item>>() {}))
                .hasMessageContaining("BaseStream");
    }

    @Test
    void aPayloadOfAnotherFormatIsRejectedClearly() {
        JsonResultCodec codec = codec(new ParameterizedTypeReference<Item>() {});
        byte[] future = "{\"format\":3,\"type\":\"x\",\"value\":{}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(future))
                .isInstanceOf(IdempotencyException.class)
                .hasMessageContaining("payload format 3")
                .hasMessageContaining("reads formats 1 and 2");
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IdempotencyException.class)
                .hasMessageContaining("not readable");
    }

    @Test
    void everyPayloadNamesTheDeclaredTypeItHolds() {
        JsonResultCodec codec = codec(new ParameterizedTypeReference<List<Item>>() {});
        String payload = new String(codec.encodeValue(List.of(new Item("a", 1))), StandardCharsets.UTF_8);
        assertThat(payload)
                .startsWith("{\"format\":2,\"type\":\"java.util.List<" + Item.class.getName() + ">\",\"value\":");
        assertThat(JsonResultCodec.forType(mapper, int.class, NONE, "Test.op()").storedType())
                .isEqualTo("java.lang.Integer");
        assertThat(JsonResultCodec.forType(mapper, void.class, NONE, "Test.op()")
                        .storedType())
                .isEqualTo("void");
    }

    @Test
    void aPayloadOfFormatOneIsStillReadButStrictly() throws Throwable {
        JsonResultCodec codec = codec(new ParameterizedTypeReference<Item>() {});
        byte[] old = "{\"format\":1,\"value\":{\"name\":\"a\",\"count\":1}}".getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decode(old)).isEqualTo(new Item("a", 1));
        byte[] unknown =
                "{\"format\":1,\"value\":{\"name\":\"a\",\"count\":1,\"note\":\"x\"}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(unknown))
                .isInstanceOf(IdempotencyReplayException.class)
                .hasMessageContaining("note")
                .hasMessageContaining("no longer fits " + Item.class.getName());
    }

    /** A bean with a computed, read-only property: written, and ignored when read back. */
    public static class Order {
        private String id;

        private int quantity;

        public Order() {}

        public Order(String id, int quantity) {
            this.id = id;
            this.quantity = quantity;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public int getQuantity() {
            return quantity;
        }

        public void setQuantity(int quantity) {
            this.quantity = quantity;
        }

        public String getLabel() {
            return id + " x" + quantity;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Order other && Objects.equals(id, other.id) && quantity == other.quantity;
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, quantity);
        }
    }

    enum Level {
        LOW(1),
        HIGH(2);

        private final int code;

        Level(int code) {
            this.code = code;
        }

        @JsonValue
        int code() {
            return code;
        }
    }

    @Test
    void readOnlyPropertiesAndNumericJsonValueEnumsComeBack() throws Throwable {
        assertThat(roundTrip(new ParameterizedTypeReference<Order>() {}, new Order("o-1", 2)))
                .isEqualTo(new Order("o-1", 2));
        assertThat(roundTrip(new ParameterizedTypeReference<List<Level>>() {}, List.of(Level.HIGH, Level.LOW)))
                .isEqualTo(List.of(Level.HIGH, Level.LOW));
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Sparse(String id, String note, List<String> tags) {}

    @Test
    void nullPropertiesAreStoredWhateverJsonIncludeSays() throws Throwable {
        Sparse sparse = new Sparse("s-1", null, null);
        JsonResultCodec codec = codec(new ParameterizedTypeReference<Sparse>() {});
        assertThat(new String(codec.encodeValue(sparse), StandardCharsets.UTF_8))
                .contains("\"note\":null");
        assertThat(codec.decode(codec.encodeValue(sparse))).isEqualTo(sparse);
    }

    record Stamped(String id, Calendar at) {}

    record Point(int x, int y) {}

    record Loose(String id, Object extra) {}

    @Test
    void typesThatWouldComeBackApproximatelyAreRejectedAtStartup() {
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Calendar>() {}))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Test.op() returns java.util.Calendar")
                .hasMessageContaining("time zone");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<List<Stamped>>() {}))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("(at [].at: java.util.Calendar)");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Timestamp>() {}))
                .hasMessageContaining("nanoseconds");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Map<Point, String>>() {}))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("(at {key}: " + Point.class.getName() + ")")
                .hasMessageContaining("map keys");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Optional<Optional<String>>>() {}))
                .hasMessageContaining("Optional.of(Optional.empty())");
        assertThatThrownBy(() -> codec(new ParameterizedTypeReference<Loose>() {}))
                .hasMessageContaining("(at extra: java.lang.Object)");
    }

    static class NoUsableConstructor extends RuntimeException {
        NoUsableConstructor(int code) {
            super("code " + code);
        }
    }

    @Test
    void storedExceptionTypesMustBeRecreatable() {
        @SuppressWarnings("unchecked")
        Class<? extends Throwable>[] types = new Class[] {NoUsableConstructor.class};
        Type type = String.class;
        assertThatThrownBy(() -> JsonResultCodec.forType(mapper, type, types, "Test.op()"))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining(NoUsableConstructor.class.getName());
    }
}
