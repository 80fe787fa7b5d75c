/**
 * Helpers that the engine ({@link dev.idempotent.engine}), the interceptor, the HTTP filters and the
 * programmatic API share: result codecs and payloads, keys, fingerprints, durations, defaults.
 */
@NullMarked
package dev.idempotent.support;

import org.jspecify.annotations.NullMarked;
