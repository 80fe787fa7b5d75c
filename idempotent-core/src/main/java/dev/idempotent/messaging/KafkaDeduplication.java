package dev.idempotent.messaging;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.ResultCodec;
import java.nio.charset.StandardCharsets;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.AcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConsumerAwareMessageListener;
import org.springframework.kafka.listener.DelegatingMessageListener;
import org.springframework.kafka.listener.GenericMessageListener;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Deduplicates every record listener of a Kafka listener container without an annotation on each
 * ({@code idempotency.kafka.deduplicate=header:<name>} or {@code =offset}): the container's message listener
 * is wrapped, so each record runs through the {@link IdempotencyEngine} with the key taken from the named
 * header (its value as UTF-8) or from {@code topic-partition-offset}, in a namespace of its own per consumer
 * group ({@code kafka:<group>}; two groups each process a record once). The fingerprint is the record's key
 * and value. A record without the header is processed unprotected, counted as {@code unprotected}, with one
 * WARN per group. A batch listener cannot be deduplicated record by record: its container is refused at
 * startup with an {@link IdempotencyConfigurationException}.
 */
public final class KafkaDeduplication {

    private static final Log logger = LogFactory.getLog(KafkaDeduplication.class);

    private final @Nullable String header;

    private final MessageDeduplicator deduplicator;

    private KafkaDeduplication(
            @Nullable String header,
            IdempotencyEngine engine,
            IdempotencyStore store,
            Fingerprints fingerprints,
            ResultCodec codec,
            IdempotencyDefaults defaults,
            IdempotencyListener listener) {
        this.header = header;
        this.deduplicator = new MessageDeduplicator(engine, store, fingerprints, codec, defaults, listener, logger);
    }

    /**
     * @param setting {@code offset} or {@code header:<name>}
     * @param codec the codec of a {@code void} result
     * @throws IllegalArgumentException for any other setting
     */
    public static KafkaDeduplication of(
            @Nullable String setting,
            IdempotencyEngine engine,
            IdempotencyStore store,
            Fingerprints fingerprints,
            ResultCodec codec,
            IdempotencyDefaults defaults,
            IdempotencyListener listener) {
        String value = setting == null ? "" : setting.trim();
        String header;
        if (value.equalsIgnoreCase("offset")) {
            header = null;
        } else if (value.regionMatches(true, 0, "header:", 0, 7)
                && !value.substring(7).isBlank()) {
            header = value.substring(7).trim();
        } else {
            throw new IllegalArgumentException("idempotency.kafka.deduplicate='" + setting + "' is neither 'offset'"
                    + " nor 'header:<name>' (e.g. header:event-id)");
        }
        return new KafkaDeduplication(header, engine, store, fingerprints, codec, defaults, listener);
    }

    /**
     * Wraps the message listener of {@code container}; call it before the container starts.
     *
     * @throws IdempotencyConfigurationException if it is a batch listener
     */
    public void apply(AbstractMessageListenerContainer<?, ?> container) {
        Object messageListener = container.getContainerProperties().getMessageListener();
        String group = container.getGroupId() != null ? container.getGroupId() : container.getListenerId();
        if (messageListener instanceof BatchMessageListener<?, ?>) {
            throw new IdempotencyConfigurationException("idempotency.kafka.deduplicate cannot deduplicate the batch"
                    + " listener '" + container.getListenerId() + "' (group '" + group + "'): its records reach it"
                    + " together, so one that was processed before cannot be left out of a batch, and a batch"
                    + " redelivered after a failure or a rebalance is made of other records. Make it a record"
                    + " listener, deduplicate inside it (an @Idempotent method of another bean called once per"
                    + " record), or remove idempotency.kafka.deduplicate");
        }
        if (messageListener instanceof GenericMessageListener<?> generic
                && !(messageListener instanceof Deduplicating)) {
            container.setupMessageListener(new Deduplicating(generic, "kafka:" + group));
        }
    }

    private @Nullable String key(ConsumerRecord<?, ?> record) {
        if (header == null) {
            return record.topic() + "-" + record.partition() + "-" + record.offset();
        }
        Header last = record.headers().lastHeader(header);
        return last == null || last.value() == null ? null : new String(last.value(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private final class Deduplicating
            implements AcknowledgingConsumerAwareMessageListener<Object, Object>, DelegatingMessageListener<Object> {

        private final GenericMessageListener delegate;

        private final String name;

        Deduplicating(GenericMessageListener<?> delegate, String name) {
            this.delegate = delegate;
            this.name = name;
        }

        @Override
        public Object getDelegate() {
            return delegate;
        }

        @Override
        public void onMessage(
                ConsumerRecord<Object, Object> record,
                @Nullable Acknowledgment acknowledgment,
                @Nullable Consumer<?, ?> consumer) {
            try {
                deduplicator.run(
                        name,
                        key(record),
                        record,
                        "the Kafka listener of group '" + name.substring("kafka:".length()) + "'",
                        () -> "A record on " + record.topic() + " has no '" + header + "' header, so it was"
                                + " processed without deduplication (idempotency.kafka.deduplicate=header:" + header
                                + "); further such records of " + name + " are counted (idempotency.calls, outcome"
                                + " unprotected) but not logged",
                        () -> {
                            invoke(record, acknowledgment, consumer);
                            return null;
                        });
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        private void invoke(
                ConsumerRecord<Object, Object> record,
                @Nullable Acknowledgment acknowledgment,
                @Nullable Consumer<?, ?> consumer) {
            if (delegate instanceof AcknowledgingConsumerAwareMessageListener) {
                delegate.onMessage(record, acknowledgment, consumer);
            } else if (delegate instanceof AcknowledgingMessageListener) {
                delegate.onMessage(record, acknowledgment);
            } else if (delegate instanceof ConsumerAwareMessageListener) {
                delegate.onMessage(record, consumer);
            } else if (delegate instanceof MessageListener) {
                delegate.onMessage(record);
            } else {
                delegate.onMessage(record, acknowledgment, consumer);
            }
        }
    }
}
