/**
 * Public API: {@link dev.idempotent.Idempotent}, its options and the exceptions it throws.
 */
@NullMarked
package dev.idempotent;

import org.jspecify.annotations.NullMarked;
