package dev.idempotent.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of RabbitMQ listeners ({@code idempotency.amqp.*}).
 */
@ConfigurationProperties(prefix = "idempotency.amqp")
public class IdempotencyAmqpProperties {

    /**
     * Deduplicate every RabbitMQ listener without annotating it: none (default), or message-id (each message
     * id processed once per queue, by an advice in the listener containers' advice chain).
     */
    private Deduplicate deduplicate = Deduplicate.NONE;

    public Deduplicate getDeduplicate() {
        return deduplicate;
    }

    public void setDeduplicate(Deduplicate deduplicate) {
        this.deduplicate = deduplicate;
    }

    /** What identifies a message for {@code idempotency.amqp.deduplicate}. */
    public enum Deduplicate {
        /** No deduplication beyond {@code @Idempotent} listener methods. */
        NONE,
        /** The {@code message-id} property of the message. */
        MESSAGE_ID
    }
}
