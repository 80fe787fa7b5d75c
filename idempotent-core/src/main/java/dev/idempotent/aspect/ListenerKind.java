package dev.idempotent.aspect;

import java.lang.reflect.Method;
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

    static ListenerKind of(Method method) {
        MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY);
        if (annotations.isPresent("org.springframework.amqp.rabbit.annotation.RabbitListener")
                || annotations.isPresent("org.springframework.amqp.rabbit.annotation.RabbitHandler")) {
            return RABBIT;
        }
        if (annotations.isPresent("org.springframework.kafka.annotation.KafkaListener")
                || annotations.isPresent("org.springframework.kafka.annotation.KafkaHandler")) {
            return KAFKA;
        }
        return NONE;
    }

    /** The annotation as a user reads it, for messages. */
    String annotation() {
        return this == RABBIT ? "@RabbitListener" : this == KAFKA ? "@KafkaListener" : "";
    }
}
