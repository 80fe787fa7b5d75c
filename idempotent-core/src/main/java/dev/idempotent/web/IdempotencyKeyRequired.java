package dev.idempotent.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Spring MVC or WebFlux handler method (or every handler method of a controller) whose requests must carry
 * an {@code Idempotency-Key} header: {@link IdempotencyKeyFilter} (or {@link IdempotencyKeyWebFilter}) answers a request without one with
 * {@code 400 Bad Request} (RFC 9457 problem details) before the handler runs.
 *
 * <pre class="code">
 * &#64;IdempotencyKeyRequired
 * &#64;PostMapping("/payments")
 * public Receipt charge(&#64;RequestBody ChargeRequest request) { ... }
 * </pre>
 *
 * <p>The filter protects the HTTP methods configured with {@code idempotency.http.methods} (POST and PATCH
 * by default); an annotated mapping for another method (say PUT) fails the startup with a message that
 * says to add it. A mapping without a method (plain {@code @RequestMapping}) requires the key for the
 * protected methods only. The alternative without annotations is {@code idempotency.http.required-paths}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface IdempotencyKeyRequired {}
