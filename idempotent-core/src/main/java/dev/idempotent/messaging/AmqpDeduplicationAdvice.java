package dev.idempotent.messaging;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.ResultCodec;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * An advice for the advice chain of Spring AMQP listener containers that processes each message id once,
 * without an annotation on each listener ({@code idempotency.amqp.deduplicate=message-id}). The key is the
 * message's {@code message-id} property, in a namespace of its own per queue ({@code amqp:<queue>}), so a
 * message fanned out to two queues is processed once on each; the fingerprint is the body. A duplicate
 * behaves as on an {@code @Idempotent} listener method: a replay is acknowledged, a duplicate in flight
 * waits and then goes back to the broker, a failure releases the key, key reuse is rejected without
 * requeue. A message without a message id is processed unprotected, counted as {@code unprotected}, with
 * one WARN per queue. A container that hands its listener batches of messages is refused at startup
 * ({@link #refuseBatch}).
 */
public class AmqpDeduplicationAdvice implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(AmqpDeduplicationAdvice.class);

    private final MessageDeduplicator deduplicator;

    /**
     * @param codec the codec of a {@code void} result
     */
    public AmqpDeduplicationAdvice(
            IdempotencyEngine engine,
            IdempotencyStore store,
            Fingerprints fingerprints,
            ResultCodec codec,
            IdempotencyDefaults defaults,
            IdempotencyListener listener) {
        this.deduplicator = new MessageDeduplicator(engine, store, fingerprints, codec, defaults, listener, logger);
    }

    /**
     * Refuses a container that hands its listener a batch of messages ({@code consumerBatchEnabled}): the
     * advice sees the whole batch, so it cannot leave out a message that was processed before, and a batch
     * redelivered after a failure is made of other messages. Call it on every container the advice is
     * applied to, as it is created.
     *
     * @throws IdempotencyConfigurationException if {@code container} is a consumer-batch container
     */
    public static void refuseBatch(MessageListenerContainer container) {
        if (container instanceof SimpleMessageListenerContainer simple && simple.isConsumerBatchEnabled()) {
            throw new IdempotencyConfigurationException("idempotency.amqp.deduplicate=message-id cannot deduplicate"
                    + " the batch listener '" + simple.getListenerId() + "' (consumer batch enabled on queues "
                    + java.util.Arrays.toString(simple.getQueueNames()) + "): its messages reach it together, so"
                    + " one that was processed before cannot be left out of a batch, and a batch redelivered after a"
                    + " failure is made of other messages. Give it a listener container factory without"
                    + " consumer-batch-enabled, deduplicate inside it (an @Idempotent method of another bean called"
                    + " once per message), or remove idempotency.amqp.deduplicate");
        }
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] arguments = invocation.getArguments();
        if (arguments.length < 2 || !(arguments[1] instanceof Message message)) {
            // not one message: a consumer batch, whose container was refused at startup (refuseBatch)
            return invocation.proceed();
        }
        String queue = message.getMessageProperties().getConsumerQueue();
        String name = "amqp:" + (queue == null ? "" : queue);
        try {
            deduplicator.run(
                    name,
                    message.getMessageProperties().getMessageId(),
                    message,
                    "the RabbitMQ listener of queue '" + queue + "'",
                    () -> "A message on queue '" + queue + "' has no message-id property, so it was processed"
                            + " without deduplication (idempotency.amqp.deduplicate=message-id); further such messages"
                            + " on this queue are counted (idempotency.calls, outcome unprotected) but not logged."
                            + " Have the producer set a message id (Spring AMQP: setCreateMessageIds(true) on the"
                            + " message converter, or a MessagePostProcessor)",
                    invocation::proceed);
            return null;
        } catch (IdempotencyKeyReuseException | IdempotencyReplayException e) {
            throw new AmqpRejectAndDontRequeueException(
                    e.getMessage() + " (the delivery is rejected, not requeued: it would fail the same way every time)",
                    e);
        }
    }
}
