/**
 * The HTTP {@code Idempotency-Key} filter ({@link dev.idempotent.web.IdempotencyKeyFilter}): a POST or
 * PATCH that carries the header runs once; a repeat with the same key and the same request gets the
 * stored status, headers and body back, marked {@code Idempotent-Replayed: true}. Every decision is taken
 * by {@link dev.idempotent.support.IdempotencyEngine}; this package captures, stores and replays HTTP
 * responses, parses the header, scopes keys ({@link dev.idempotent.web.IdempotencyKeyScope}) and writes
 * RFC 9457 problem details.
 */
package dev.idempotent.web;
