package dev.idempotent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a public method of a Spring bean run once per key: the first call claims the key, runs the
 * method and stores its return value; a repeat within {@link #ttl()} returns the stored value without
 * running the method again.
 *
 * <pre class="code">
 * &#64;Idempotent(key = "#order.id", ttl = "24h")
 * public Receipt place(Order order) { ... }
 * </pre>
 *
 * <p>The method is intercepted through a Spring AOP proxy, so calls from inside the same object
 * ({@code this.place(order)}) are not intercepted, exactly as with {@code @Transactional}.
 *
 * @see OnInFlight
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Idempotent {

    /**
     * SpEL expression evaluated against the method's arguments that yields the key: arguments by name
     * ({@code #order.id}), by position ({@code #p0}, {@code #a0}), {@code #root.method},
     * {@code #root.args}, {@code #root.target} and bean references ({@code @clock}). The result is
     * converted to a string; {@code null} or a blank string is rejected with
     * {@link InvalidIdempotencyKeyException}. Default (empty): a hash of all arguments.
     */
    String key() default "";

    /**
     * SpEL expression (same variables as {@link #key()}) whose value identifies what the call asks for:
     * a repeat with the same key but another fingerprint is a key reuse
     * ({@link IdempotencyKeyReuseException}), never a replay. Use it to leave out arguments that do not
     * change the request (a latch, a timestamp, a callback). Default (empty): all arguments, written as
     * canonical JSON and hashed.
     */
    String fingerprint() default "";

    /**
     * Namespace of the keys, so two methods never collide on the same key value. Default (empty):
     * {@code SimpleClassName.methodName}.
     */
    String name() default "";

    /**
     * Version of the key space: a new version starts with no records, so nothing stored by the previous
     * version is replayed. Give a new version when the method's return type (or the classes in it) changed
     * in a way the stored results no longer fit: a replay of a record stored for another type throws
     * {@link IdempotencyReplayException} instead of returning a wrong or half-filled value. The keys become
     * {@code name@version:key}. Default (empty): no version, keys {@code name:key}.
     */
    String version() default "";

    /**
     * How long a completed result is remembered, written as Spring Boot's {@code Duration} properties are:
     * {@code "24h"}, {@code "30m"}, {@code "7d"}, {@code "500ms"}, a bare number of milliseconds
     * ({@code "500"}), ISO-8601 ({@code "PT24H"}), or a {@code ${property}} placeholder that resolves to one
     * of these. Default (empty): {@code idempotency.default-ttl}.
     */
    String ttl() default "";

    /**
     * How long a run may hold the key without renewing it before it counts as crashed. The lease is
     * renewed in the background while the method runs. Same formats as {@link #ttl()}. Default (empty):
     * {@code idempotency.default-lease}.
     */
    String lease() default "";

    /** What a call does when another call with the same key is still running. */
    OnInFlight onInFlight() default OnInFlight.REJECT;

    /**
     * With {@link OnInFlight#WAIT}: how long to wait for the first run to finish. Same formats as
     * {@link #ttl()}. Default (empty): {@code idempotency.default-wait-timeout}.
     */
    String waitTimeout() default "";

    /**
     * Exception types (and their subclasses) whose throw is recorded like a result and rethrown on
     * every replay, e.g. a declined payment. Any other exception releases the key so that a retry runs
     * the method again. Each type needs a public constructor taking a {@code String} message or no
     * arguments.
     */
    Class<? extends Throwable>[] storeExceptions() default {};

    /**
     * Name of the {@code IdempotencyStore} bean to use for this method. Default (empty): the
     * application's default store.
     */
    String store() default "";
}
