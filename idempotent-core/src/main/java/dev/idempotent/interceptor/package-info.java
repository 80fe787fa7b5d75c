/**
 * The Spring AOP side of {@code @Idempotent}: the advisor, the interceptor, the per-method operation and
 * key evaluation, and the startup validation of annotated methods.
 */
@NullMarked
package dev.idempotent.interceptor;

import org.jspecify.annotations.NullMarked;
