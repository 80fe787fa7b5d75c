package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyStores;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.expression.Expression;
import org.springframework.util.ClassUtils;

/**
 * The advice around every {@code @Idempotent} method: works out the key and fingerprint of the call and
 * hands it to the {@link IdempotencyEngine}. Thin on purpose, like Spring's {@code CacheInterceptor}.
 */
public class IdempotencyInterceptor implements MethodInterceptor {

    private final IdempotentOperationSource operations;

    private final IdempotencyEngine engine;

    private final IdempotencyStores stores;

    private final IdempotencyKeyEvaluator keyEvaluator;

    private final Fingerprints fingerprints;

    /** {@code Mono} and {@code Flux} results; {@code null} without Reactor. */
    private final @Nullable ReactiveIdempotentCalls reactive;

    private static final boolean REACTOR_PRESENT =
            ClassUtils.isPresent("reactor.core.publisher.Mono", IdempotencyInterceptor.class.getClassLoader());

    /**
     * @param beanFactory resolves {@code @bean} references in key expressions and
     *     {@code @Idempotent(store = "...")}; may be {@code null}
     */
    public IdempotencyInterceptor(
            IdempotentOperationSource operations,
            IdempotencyEngine engine,
            IdempotencyStore defaultStore,
            Fingerprints fingerprints,
            @Nullable BeanFactory beanFactory) {
        this.operations = operations;
        this.engine = engine;
        this.stores = new IdempotencyStores(defaultStore, beanFactory);
        this.fingerprints = fingerprints;
        this.keyEvaluator = new IdempotencyKeyEvaluator(beanFactory);
        this.reactive = REACTOR_PRESENT ? new ReactiveIdempotentCalls(engine, stores, beanFactory) : null;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target == null ? null : AopUtils.getTargetClass(target);
        IdempotentOperation operation = operations.getOperation(invocation.getMethod(), targetClass);
        if (operation == null) {
            return invocation.proceed();
        }
        if (operation.listener() == ListenerKind.NONE) {
            return execute(operation, invocation, target, targetClass);
        }
        try {
            return execute(operation, invocation, target, targetClass);
        } catch (IdempotencyKeyReuseException | IdempotencyReplayException e) {
            throw ListenerFailures.permanent(operation.listener(), e);
        }
    }

    private @Nullable Object execute(
            IdempotentOperation operation,
            MethodInvocation invocation,
            @Nullable Object target,
            @Nullable Class<?> targetClass)
            throws Throwable {
        @Nullable Object[] args = invocation.getArguments();
        if (operation.reactive() != ReactiveKind.NONE) {
            if (reactive == null) {
                // a reactive return type is only recognized when Reactor is on the class path
                throw new IllegalStateException("@Idempotent on " + operation.description()
                        + " returns a reactive type, but Reactor is not on the class path");
            }
            return reactive.call(
                    operation,
                    invocation,
                    store -> request(operation, invocation, args, target, targetClass, store.blocking()));
        }
        IdempotencyStore store = stores.get(operation.storeName(), "@Idempotent on " + operation.description());
        IdempotencyRequest request;
        try {
            request = request(operation, invocation, args, target, targetClass, store);
        } catch (IdempotencyException e) {
            if (operation.listener() == ListenerKind.NONE) {
                throw e;
            }
            // a key or fingerprint that cannot be worked out fails the same way on every redelivery
            throw ListenerFailures.permanent(operation.listener(), e);
        }
        return engine.execute(request, invocation::proceed).value();
    }

    private IdempotencyRequest request(
            IdempotentOperation operation,
            MethodInvocation invocation,
            @Nullable Object[] args,
            @Nullable Object target,
            @Nullable Class<?> targetClass,
            IdempotencyStore store) {
        Expression keyExpression = operation.key();
        String keyValue = keyExpression == null
                ? null
                : keyEvaluator.evaluateKey(operation, keyExpression, invocation.getMethod(), args, target, targetClass);
        Expression fingerprintExpression = operation.fingerprint();
        @Nullable
        Object[] fingerprinted = fingerprintExpression == null
                ? args
                : new @Nullable Object[] {
                    keyEvaluator.evaluateFingerprint(
                            operation, fingerprintExpression, invocation.getMethod(), args, target, targetClass)
                };
        String fingerprint = fingerprints.of(fingerprinted, operation.description());
        if (keyValue == null) {
            keyValue = fingerprint;
        }
        return IdempotencyRequest.builder(operation.name(), store)
                .key(operation.namespace(), keyValue)
                .fingerprint(fingerprint)
                .ttl(operation.ttl())
                .lease(operation.lease())
                .waitTimeout(operation.waitTimeout())
                .onInFlight(operation.onInFlight())
                .codec(operation.codec())
                .operation(operation.description())
                .build();
    }
}
