/**
 * Micrometer metrics of the idempotency engine.
 */
@NullMarked
package dev.idempotent.metrics;

import org.jspecify.annotations.NullMarked;
