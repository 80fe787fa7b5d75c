/**
 * The demo application: orders and payments behind {@code @Idempotent} and the {@code Idempotency-Key}
 * header, a scheduled job, a file export and an order-events consumer.
 */
@NullMarked
package dev.idempotent.demo;

import org.jspecify.annotations.NullMarked;
