/**
 * Public API: {@link dev.idempotent.Idempotent}, its options and the exceptions it throws.
 */
package dev.idempotent;
