package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyException;

/**
 * Turns a failure that would fail the same way on every redelivery (key reuse, a key or fingerprint that
 * cannot be worked out, a stored result that no longer fits) into one the listener container does not
 * redeliver: for RabbitMQ an {@code AmqpRejectAndDontRequeueException} (rejected, so dead-lettered when
 * the queue has a dead-letter exchange, dropped otherwise). Kafka's {@code DefaultErrorHandler} classifies
 * these exceptions as not retryable itself (see the starter's Kafka configuration).
 */
final class ListenerFailures {

    private ListenerFailures() {}

    static RuntimeException permanent(ListenerKind kind, IdempotencyException failure) {
        if (kind == ListenerKind.RABBIT) {
            return Amqp.reject(failure);
        }
        return failure;
    }

    static boolean isReject(ListenerKind kind, Throwable failure) {
        return kind == ListenerKind.RABBIT && Amqp.isReject(failure);
    }

    private static final class Amqp {

        static RuntimeException reject(IdempotencyException failure) {
            return new org.springframework.amqp.AmqpRejectAndDontRequeueException(
                    failure.getMessage()
                            + " (the delivery is rejected, not requeued: it would fail the same way every time)",
                    failure);
        }

        static boolean isReject(Throwable failure) {
            return failure instanceof org.springframework.amqp.AmqpRejectAndDontRequeueException;
        }
    }
}
