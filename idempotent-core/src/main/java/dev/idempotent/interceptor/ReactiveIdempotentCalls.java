package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.engine.ReactiveIdempotencyEngine;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.support.IdempotencyStores;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.beans.factory.BeanFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The calls of {@code @Idempotent} methods that return a {@code Mono} or a {@code Flux}: each subscription
 * is one call, handed to the {@link ReactiveIdempotencyEngine}. Kept apart from the interceptor so that
 * Reactor is only needed by applications that have it.
 *
 * <p>The store: a {@link ReactiveIdempotencyStore} bean when there is exactly one (the reactive Redis store),
 * otherwise the default {@link IdempotencyStore} seen through {@link ReactiveIdempotencyStore#of}; a store
 * named in {@code @Idempotent(store = "...")} likewise.
 */
final class ReactiveIdempotentCalls {

    private final ReactiveIdempotencyEngine engine;

    private final IdempotencyStores stores;

    private final @Nullable BeanFactory beanFactory;

    private final Map<String, ReactiveIdempotencyStore> resolved = new ConcurrentHashMap<>();

    ReactiveIdempotentCalls(IdempotencyEngine engine, IdempotencyStores stores, @Nullable BeanFactory beanFactory) {
        this.engine = new ReactiveIdempotencyEngine(engine);
        this.stores = stores;
        this.beanFactory = beanFactory;
    }

    /**
     * The publisher the method's caller gets: the operation runs, or its stored result is replayed, when it
     * is subscribed. A request that cannot be worked out (a key expression that fails) is its error.
     */
    Object call(
            IdempotentOperation operation,
            MethodInvocation invocation,
            Function<ReactiveIdempotencyStore, IdempotencyRequest> requests) {
        ReactiveIdempotencyStore store;
        IdempotencyRequest request;
        try {
            store = store(operation);
            request = requests.apply(store);
        } catch (RuntimeException e) {
            return operation.reactive() == ReactiveKind.MONO ? Mono.error(e) : Flux.error(e);
        }
        if (operation.reactive() == ReactiveKind.MONO) {
            return engine.execute(request, store, () -> (Mono<?>) proceed(invocation, Mono.empty(), Mono::error))
                    .flatMap(result -> Mono.justOrEmpty(result.value()));
        }
        return engine.executeMany(request, store, () -> (Publisher<?>) proceed(invocation, Flux.empty(), Flux::error));
    }

    /** Runs the method once more for this subscription (a clone of the invocation, so that it can proceed again). */
    private static Object proceed(MethodInvocation invocation, Object ifNull, Function<Throwable, Object> error) {
        MethodInvocation call =
                invocation instanceof ProxyMethodInvocation proxied ? proxied.invocableClone() : invocation;
        try {
            Object result = call.proceed();
            return result == null ? ifNull : result;
        } catch (Throwable e) {
            return error.apply(e);
        }
    }

    private ReactiveIdempotencyStore store(IdempotentOperation operation) {
        String name = operation.storeName();
        return resolved.computeIfAbsent(name, n -> {
            if (n.isEmpty()) {
                ReactiveIdempotencyStore own = beanFactory == null
                        ? null
                        : beanFactory
                                .getBeanProvider(ReactiveIdempotencyStore.class)
                                .getIfUnique();
                return own != null ? own : ReactiveIdempotencyStore.of(stores.getDefault());
            }
            if (beanFactory != null
                    && beanFactory.containsBean(n)
                    && beanFactory.isTypeMatch(n, ReactiveIdempotencyStore.class)) {
                return beanFactory.getBean(n, ReactiveIdempotencyStore.class);
            }
            IdempotencyStore store = stores.get(n, "@Idempotent on " + operation.description());
            if (store == null) {
                throw new IdempotencyConfigurationException(
                        "@Idempotent on " + operation.description() + " has no store");
            }
            return ReactiveIdempotencyStore.of(store);
        });
    }
}
