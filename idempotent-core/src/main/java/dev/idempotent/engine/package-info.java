/**
 * The engine: where idempotency is decided for every entry point (the interceptor, the HTTP filters, the
 * message listeners, the template and the command line). {@link dev.idempotent.engine.IdempotencyEngine} runs a
 * call once per key over the store SPI, {@link dev.idempotent.engine.ReactiveIdempotencyEngine} does the same for
 * {@code Mono} and {@code Flux} without blocking; lease renewal, store retries and outcomes waiting for the store
 * live beside them.
 */
@NullMarked
package dev.idempotent.engine;

import org.jspecify.annotations.NullMarked;
