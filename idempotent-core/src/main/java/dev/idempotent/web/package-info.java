/**
 * The HTTP {@code Idempotency-Key} filters, for servlet applications
 * ({@link dev.idempotent.web.IdempotencyKeyFilter}) and for WebFlux ({@link dev.idempotent.web.IdempotencyKeyWebFilter}),
 * both applying one {@link dev.idempotent.web.IdempotencyKeyPolicy}: a POST or PATCH that carries the header
 * runs once; a repeat with the same key and the same request gets the stored status, headers and body back,
 * marked {@code Idempotent-Replayed: true}. Every decision is taken by the engine; this package captures,
 * stores and replays HTTP responses, parses the header, scopes keys ({@link dev.idempotent.web.IdempotencyKeyScope},
 * {@link dev.idempotent.web.ReactiveIdempotencyKeyScope}) and writes RFC 9457 problem details, also for the
 * exceptions of {@code @Idempotent} methods.
 */
@NullMarked
package dev.idempotent.web;

import org.jspecify.annotations.NullMarked;
