/**
 * The store SPI: {@link dev.idempotent.store.IdempotencyStore} and the record model it keeps.
 */
@NullMarked
package dev.idempotent.store;

import org.jspecify.annotations.NullMarked;
