/**
 * The Spring AOP side of {@code @Idempotent}: the advisor, the interceptor, the per-method operation and
 * key evaluation, and the startup validation of annotated methods.
 */
package dev.idempotent.aspect;
