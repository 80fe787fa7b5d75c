/**
 * The store SPI: {@link dev.idempotent.store.IdempotencyStore} and the record model it keeps, and its
 * non-blocking face for {@code Mono}/{@code Flux} callers, {@link dev.idempotent.store.ReactiveIdempotencyStore}
 * (any store through {@link dev.idempotent.store.ReactiveIdempotencyStore#of}).
 */
@NullMarked
package dev.idempotent.store;

import org.jspecify.annotations.NullMarked;
