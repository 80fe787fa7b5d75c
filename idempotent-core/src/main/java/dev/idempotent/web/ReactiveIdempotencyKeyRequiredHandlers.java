package dev.idempotent.web;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link IdempotencyKeyRequiredHandlers} for WebFlux: finds the handler methods annotated with
 * {@link IdempotencyKeyRequired} and tells {@link IdempotencyKeyWebFilter} whether an exchange is mapped to
 * one, with the same startup check (an annotated mapping for an HTTP method the filter does not protect fails
 * the startup). When no handler is annotated, an exchange costs nothing.
 */
public class ReactiveIdempotencyKeyRequiredHandlers implements SmartInitializingSingleton {

    private final RequiredHandlerMethods.AnnotatedMappings<RequestMappingHandlerMapping, RequestMappingInfo>
            annotatedMappings;

    /**
     * @param mappings the application's request mappings (asked for once, after startup)
     * @param protectedMethods the HTTP methods the filter protects ({@code idempotency.http.methods})
     */
    public ReactiveIdempotencyKeyRequiredHandlers(
            Supplier<? extends Collection<RequestMappingHandlerMapping>> mappings,
            Collection<String> protectedMethods) {
        this.annotatedMappings = new RequiredHandlerMethods.AnnotatedMappings<>(
                mappings,
                RequestMappingHandlerMapping::getHandlerMethods,
                info -> info.getMethodsCondition().getMethods(),
                protectedMethods);
    }

    /**
     * Finds the annotated handlers.
     *
     * @throws IdempotencyConfigurationException when one is mapped to an HTTP method that the filter does
     *     not protect
     */
    @Override
    public void afterSingletonsInstantiated() {
        annotatedMappings.get();
    }

    /** Whether {@code exchange} is mapped to a handler method annotated with {@link IdempotencyKeyRequired}. */
    public Mono<Boolean> isKeyRequired(ServerWebExchange exchange) {
        List<RequestMappingHandlerMapping> candidates = annotatedMappings.get();
        if (candidates.isEmpty()) {
            return Mono.just(false);
        }
        // the first mapping with a handler decides, as DispatcherHandler picks it
        return Flux.fromIterable(candidates)
                .concatMap(mapping -> mapping.getHandler(exchange).onErrorResume(e -> Mono.empty()))
                .next()
                .map(handler -> handler instanceof HandlerMethod method && RequiredHandlerMethods.isAnnotated(method))
                .defaultIfEmpty(false);
    }
}
