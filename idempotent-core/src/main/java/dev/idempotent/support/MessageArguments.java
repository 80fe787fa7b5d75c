package dev.idempotent.support;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * What of a listener method's argument is fingerprinted: the payload of a message, never the message
 * object itself. A Spring AMQP {@code Message} refers to itself (JSON writing fails with a cycle), a Kafka
 * {@code ConsumerRecord} has no getters (it would write as {@code {}}, so any two records look the same),
 * and a Spring {@code org.springframework.messaging.Message} carries per-delivery headers (ids,
 * timestamps, delivery tags) that differ between two deliveries of the same message.
 *
 * <ul>
 * <li>AMQP {@code Message}: its body;</li>
 * <li>{@code org.springframework.messaging.Message}: its payload (itself mapped the same way);</li>
 * <li>Kafka {@code ConsumerRecord}: its key and value, plus the headers named by
 * {@link #of(Object, List)}'s second argument;</li>
 * <li>the channel, the acknowledgment and the consumer a listener may take: left out ({@code null}), they
 * are not what the message asks for.</li>
 * </ul>
 * Messaging libraries are optional: each is looked at only when it is on the class path.
 */
public final class MessageArguments {

    private static final ClassLoader LOADER = MessageArguments.class.getClassLoader();

    private static final boolean AMQP = ClassUtils.isPresent("org.springframework.amqp.core.Message", LOADER);

    private static final boolean RABBIT_CLIENT = ClassUtils.isPresent("com.rabbitmq.client.Channel", LOADER);

    private static final boolean MESSAGING = ClassUtils.isPresent("org.springframework.messaging.Message", LOADER);

    private static final boolean KAFKA =
            ClassUtils.isPresent("org.apache.kafka.clients.consumer.ConsumerRecord", LOADER);

    private static final boolean SPRING_KAFKA =
            ClassUtils.isPresent("org.springframework.kafka.support.Acknowledgment", LOADER);

    private MessageArguments() {}

    /**
     * Whether {@code type} is a message type that is fingerprinted by its payload, or a delivery control that
     * is left out.
     */
    public static boolean isMessageType(Class<?> type) {
        return isMessage(type) || isDeliveryControl(type);
    }

    /** Whether {@code type} is a message: an AMQP or Spring messaging {@code Message}, a Kafka {@code ConsumerRecord}. */
    public static boolean isMessage(Class<?> type) {
        return (AMQP && Amqp.isMessage(type))
                || (MESSAGING && Messaging.isMessage(type))
                || (KAFKA && Kafka.isRecord(type));
    }

    /**
     * Whether a parameter declared as {@code type} takes a batch of messages: Kafka's {@code ConsumerRecords},
     * or an array or collection of messages.
     */
    public static boolean isBatch(Type type) {
        ResolvableType resolvable = ResolvableType.forType(type);
        Class<?> raw = resolvable.resolve(Object.class);
        if (KAFKA && Kafka.isRecords(raw)) {
            return true;
        }
        ResolvableType element = raw.isArray()
                ? resolvable.getComponentType()
                : Collection.class.isAssignableFrom(raw)
                        ? resolvable.asCollection().getGeneric(0)
                        : ResolvableType.NONE;
        Class<?> elementType = element.resolve();
        return elementType != null && isMessage(elementType);
    }

    /** The channel, acknowledgment or consumer a listener takes to settle the delivery itself. */
    static boolean isDeliveryControl(Class<?> type) {
        return (RABBIT_CLIENT && Amqp.isChannel(type)) || (SPRING_KAFKA && Kafka.isControl(type));
    }

    /** {@code argument} itself, or what of it is fingerprinted when it is a message. */
    public static @Nullable Object of(@Nullable Object argument, List<String> kafkaHeaders) {
        if (argument == null) {
            return null;
        }
        Class<?> type = argument.getClass();
        if (isDeliveryControl(type)) {
            return null;
        }
        if (AMQP && Amqp.isMessage(type)) {
            return Amqp.body(argument);
        }
        if (MESSAGING && Messaging.isMessage(type)) {
            return of(Messaging.payload(argument), kafkaHeaders);
        }
        if (KAFKA && Kafka.isRecord(type)) {
            return Kafka.content(argument, kafkaHeaders);
        }
        return argument;
    }

    /** The arguments with each message replaced by what of it is fingerprinted; {@code arguments} if none is. */
    static @Nullable Object[] of(@Nullable Object[] arguments, List<String> kafkaHeaders) {
        @Nullable Object[] mapped = null;
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            Object fingerprinted = of(argument, kafkaHeaders);
            if (fingerprinted != argument) {
                if (mapped == null) {
                    mapped = arguments.clone();
                }
                mapped[i] = fingerprinted;
            }
        }
        return mapped == null ? arguments : mapped;
    }

    private static final class Amqp {

        static boolean isMessage(Class<?> type) {
            return org.springframework.amqp.core.Message.class.isAssignableFrom(type);
        }

        static boolean isChannel(Class<?> type) {
            return com.rabbitmq.client.Channel.class.isAssignableFrom(type);
        }

        static Object body(Object message) {
            return ((org.springframework.amqp.core.Message) message).getBody();
        }
    }

    private static final class Messaging {

        static boolean isMessage(Class<?> type) {
            return org.springframework.messaging.Message.class.isAssignableFrom(type);
        }

        static Object payload(Object message) {
            return ((org.springframework.messaging.Message<?>) message).getPayload();
        }
    }

    private static final class Kafka {

        static boolean isRecord(Class<?> type) {
            return org.apache.kafka.clients.consumer.ConsumerRecord.class.isAssignableFrom(type);
        }

        static boolean isRecords(Class<?> type) {
            return org.apache.kafka.clients.consumer.ConsumerRecords.class.isAssignableFrom(type);
        }

        static boolean isControl(Class<?> type) {
            return org.springframework.kafka.support.Acknowledgment.class.isAssignableFrom(type)
                    || org.apache.kafka.clients.consumer.Consumer.class.isAssignableFrom(type);
        }

        static Object content(Object argument, List<String> headerNames) {
            org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record =
                    (org.apache.kafka.clients.consumer.ConsumerRecord<?, ?>) argument;
            Map<String, @Nullable Object> content = new LinkedHashMap<>();
            content.put("key", of(record.key(), headerNames));
            content.put("value", of(record.value(), headerNames));
            if (!headerNames.isEmpty()) {
                Map<String, List<byte[]>> headers = new LinkedHashMap<>();
                for (String name : headerNames) {
                    List<byte[]> values = new ArrayList<>();
                    record.headers().headers(name).forEach(header -> values.add(header.value()));
                    headers.put(name, values);
                }
                content.put("headers", headers);
            }
            return content;
        }
    }
}
