package dev.idempotent.interceptor;

import dev.idempotent.OnInFlight;
import dev.idempotent.support.ResultCodec;
import java.lang.reflect.Method;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.expression.Expression;

/**
 * Everything about one {@code @Idempotent} method that does not change between calls, worked out once:
 * the parsed key expression, the resolved durations and the result codec.
 *
 * @param method the annotated method (most specific)
 * @param description names it in messages: {@code OrderService.place(Order)}
 * @param name the operation's name (the metrics tag)
 * @param namespace the key namespace: the name, with its version when there is one ({@code name@2})
 * @param keySource the key expression as written, or empty for "all arguments"
 * @param key the parsed key expression, or {@code null} for "all arguments"
 * @param fingerprintSource the fingerprint expression as written, or empty for "all arguments"
 * @param fingerprint the parsed fingerprint expression, or {@code null} for "all arguments"
 * @param storeName the store bean name, or empty for the default store
 * @param listener whether the method is a message listener, which gets the listener defaults
 * @param reactive whether the method returns a {@code Mono} or {@code Flux}, run when subscribed
 */
record IdempotentOperation(
        Method method,
        String description,
        String name,
        String namespace,
        String keySource,
        @Nullable Expression key,
        String fingerprintSource,
        @Nullable Expression fingerprint,
        Duration ttl,
        Duration lease,
        OnInFlight onInFlight,
        Duration waitTimeout,
        ResultCodec codec,
        String storeName,
        ListenerKind listener,
        ReactiveKind reactive) {}
