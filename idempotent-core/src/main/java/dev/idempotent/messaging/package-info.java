/**
 * Message listeners: what the listener containers of Spring AMQP and Spring Kafka need so that
 * {@code @Idempotent} listener methods process every delivery once and lose none. Both libraries are
 * optional; a class here is used only when its library is on the class path.
 */
@NullMarked
package dev.idempotent.messaging;

import org.jspecify.annotations.NullMarked;
