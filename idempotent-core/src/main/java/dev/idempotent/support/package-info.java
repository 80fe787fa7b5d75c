/**
 * The engine that decides every call ({@link dev.idempotent.support.IdempotencyEngine}, and
 * {@link dev.idempotent.support.ReactiveIdempotencyEngine} for {@code Mono} and {@code Flux}) and what it
 * shares between the aspect, the HTTP filters and the programmatic API: payloads, keys, fingerprints,
 * durations.
 */
@NullMarked
package dev.idempotent.support;

import org.jspecify.annotations.NullMarked;
