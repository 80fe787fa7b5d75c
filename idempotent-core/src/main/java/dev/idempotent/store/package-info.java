/**
 * The store SPI: {@link dev.idempotent.store.IdempotencyStore} and the record model it keeps.
 */
package dev.idempotent.store;
