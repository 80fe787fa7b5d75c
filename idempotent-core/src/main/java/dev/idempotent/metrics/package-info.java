/**
 * Micrometer metrics of the idempotency engine.
 */
package dev.idempotent.metrics;
