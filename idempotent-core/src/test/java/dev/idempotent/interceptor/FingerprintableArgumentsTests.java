package dev.idempotent.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.Idempotent;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * An argument that cannot be fingerprinted is refused once, when the method is checked at startup, instead of
 * being written as {@code {}} on every call (where two different calls would look the same).
 */
class FingerprintableArgumentsTests {

    private final IdempotentOperationSource operations = new IdempotentOperationSource(
            IdempotencyDefaults.STANDARD, JsonMapper.builder().build(), null);

    /** State, but nothing Jackson writes: every value would fingerprint as {}. */
    public static class Opaque {
        private final String id;

        public Opaque(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public static class WithGetter {
        private final String id;

        public WithGetter(String id) {
            this.id = id;
        }

        public String getId() {
            return id;
        }
    }

    public static class WithJsonProperty {
        @JsonProperty
        private String id;
    }

    /** No state at all: {} is the whole of it, so two of them are rightly the same. */
    public static class Stateless {}

    public record Order(String id, int quantity) {}

    public static class Methods {
        @Idempotent(key = "#command.id()")
        public void opaque(Opaque command) {}

        @Idempotent(key = "#command.id()", fingerprint = "#command.id()")
        public void opaqueWithFingerprint(Opaque command) {}

        @Idempotent
        public void opaqueList(List<Opaque> commands) {}

        @Idempotent
        public void opaqueOptional(Optional<Opaque> command) {}

        @Idempotent
        public void opaqueMap(Map<String, Opaque> commands) {}

        @Idempotent
        public void records(List<ConsumerRecord<String, String>> records) {}

        @Idempotent
        public void fine(
                WithGetter a,
                WithJsonProperty b,
                Stateless c,
                Order d,
                List<Order> e,
                Map<String, Order> f,
                Optional<Order> g,
                String h,
                int i,
                byte[] j,
                Object k,
                Runnable l,
                Message m,
                ConsumerRecord<String, String> n) {}
    }

    @Test
    void aTypeWithStateButNoPropertiesIsRefusedWithAMessageThatSaysWhatToDo() {
        assertThatThrownBy(() -> operation("opaque", Opaque.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("@Idempotent on Methods.opaque(Opaque) cannot fingerprint its argument #command")
                .hasMessageContaining(Opaque.class.getName())
                .hasMessageContaining("written as {}")
                .hasMessageContaining("fingerprint = \"#command.id\"");
    }

    @Test
    void aFingerprintExpressionMakesTheArgumentsIrrelevant() throws Exception {
        assertThat(operation("opaqueWithFingerprint", Opaque.class)).isNotNull();
    }

    @Test
    void theElementsOfCollectionsOptionalsAndMapsAreLookedInto() {
        assertThatThrownBy(() -> operation("opaqueList", List.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("its elements (Opaque)");
        assertThatThrownBy(() -> operation("opaqueOptional", Optional.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("written as {}");
        assertThatThrownBy(() -> operation("opaqueMap", Map.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("written as {}");
    }

    @Test
    void aCollectionOfMessagesIsRefusedOnAPlainMethodToo() {
        assertThatThrownBy(() -> operation("records", List.class))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("it holds messages (ConsumerRecord)");
    }

    @Test
    void propertiesRecordsStatelessTypesScalarsMessagesAndTypesDecidedAtTheCallPass() throws Exception {
        assertThat(operations.getOperation(
                        Methods.class.getMethod(
                                "fine",
                                WithGetter.class,
                                WithJsonProperty.class,
                                Stateless.class,
                                Order.class,
                                List.class,
                                Map.class,
                                Optional.class,
                                String.class,
                                int.class,
                                byte[].class,
                                Object.class,
                                Runnable.class,
                                Message.class,
                                ConsumerRecord.class),
                        Methods.class))
                .isNotNull();
    }

    @Test
    void theFingerprintsOfTwoOpaqueValuesWouldIndeedBeEqual() {
        // what the startup check prevents
        Fingerprints fingerprints = new Fingerprints(JsonMapper.builder().build());
        assertThat(fingerprints.of(new Object[] {new Opaque("a")}, "op"))
                .isEqualTo(fingerprints.of(new Object[] {new Opaque("b")}, "op"));
    }

    private IdempotentOperation operation(String name, Class<?>... parameters) throws NoSuchMethodException {
        return operations.getOperation(Methods.class.getMethod(name, parameters), Methods.class);
    }
}
