package dev.idempotent.interceptor;

import dev.idempotent.support.MessageArguments;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;

/**
 * Whether an {@code @Idempotent} method is a message listener, found by the annotation's name so that
 * neither Spring AMQP nor Spring Kafka has to be on the class path. A listener method gets the listener
 * defaults: a duplicate in flight waits, then goes back to the broker; a replay of a recorded exception is
 * acknowledged; a permanent failure (key reuse, a key that cannot be evaluated) is not redelivered forever.
 */
enum ListenerKind {

    /** Not a listener: a plain method call. */
    NONE,

    /** {@code @RabbitListener}, or {@code @RabbitHandler} in a class annotated with it. */
    RABBIT,

    /** {@code @KafkaListener}, or {@code @KafkaHandler} in a class annotated with it. */
    KAFKA;

    private static final String RABBIT_LISTENER = "org.springframework.amqp.rabbit.annotation.RabbitListener";

    private static final String KAFKA_LISTENER = "org.springframework.kafka.annotation.KafkaListener";

    static ListenerKind of(Method method) {
        MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY);
        if (annotations.isPresent(RABBIT_LISTENER)
                || annotations.isPresent("org.springframework.amqp.rabbit.annotation.RabbitHandler")) {
            return RABBIT;
        }
        if (annotations.isPresent(KAFKA_LISTENER)
                || annotations.isPresent("org.springframework.kafka.annotation.KafkaHandler")) {
            return KAFKA;
        }
        return NONE;
    }

    /**
     * Whether {@code method} receives a batch of messages: its {@code @RabbitListener} or {@code @KafkaListener}
     * says {@code batch = "true"}, or a parameter takes a batch (Kafka's {@code ConsumerRecords}, a list or
     * array of messages). A listener container factory set to batch mode with a list of converted payloads
     * is not seen here.
     */
    static boolean isBatch(Method method) {
        MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY);
        for (String listener : List.of(RABBIT_LISTENER, KAFKA_LISTENER)) {
            MergedAnnotation<?> annotation = annotations.get(listener);
            if (annotation.isPresent()
                    && "true"
                            .equalsIgnoreCase(annotation
                                    .getValue("batch", String.class)
                                    .orElse("")
                                    .trim())) {
                return true;
            }
        }
        return Arrays.stream(method.getGenericParameterTypes()).anyMatch(MessageArguments::isBatch);
    }

    /** The annotation as a user reads it, for messages. */
    String annotation() {
        return this == RABBIT ? "@RabbitListener" : this == KAFKA ? "@KafkaListener" : "";
    }
}
