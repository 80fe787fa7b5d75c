/**
 * The engine that decides every call ({@link dev.idempotent.support.IdempotencyEngine}) and what it
 * shares between the aspect, the HTTP filter and the programmatic API: payloads, keys, fingerprints,
 * durations.
 */
@NullMarked
package dev.idempotent.support;

import org.jspecify.annotations.NullMarked;
