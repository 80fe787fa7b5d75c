package dev.idempotent.web;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

    private final Supplier<? extends Collection<RequestMappingHandlerMapping>> mappings;

    private final Set<String> protectedMethods = new HashSet<>();

    private volatile List<RequestMappingHandlerMapping> annotatedMappings;

    /**
     * @param mappings the application's request mappings (asked for once, after startup)
     * @param protectedMethods the HTTP methods the filter protects ({@code idempotency.http.methods})
     */
    public ReactiveIdempotencyKeyRequiredHandlers(Supplier<? extends Collection<RequestMappingHandlerMapping>> mappings,
            Collection<String> protectedMethods) {
        this.mappings = mappings;
        protectedMethods.forEach(method -> this.protectedMethods.add(method.toUpperCase(Locale.ROOT)));
    }

    /**
     * Finds the annotated handlers.
     *
     * @throws IdempotencyConfigurationException when one is mapped to an HTTP method that the filter does
     *     not protect
     */
    @Override
    public void afterSingletonsInstantiated() {
        annotatedMappings();
    }

    /** Whether {@code exchange} is mapped to a handler method annotated with {@link IdempotencyKeyRequired}. */
    public Mono<Boolean> isKeyRequired(ServerWebExchange exchange) {
        List<RequestMappingHandlerMapping> candidates = annotatedMappings();
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

    private List<RequestMappingHandlerMapping> annotatedMappings() {
        List<RequestMappingHandlerMapping> found = annotatedMappings;
        if (found == null) {
            synchronized (this) {
                found = annotatedMappings;
                if (found == null) {
                    found = scan();
                    annotatedMappings = found;
                }
            }
        }
        return found;
    }

    private List<RequestMappingHandlerMapping> scan() {
        List<RequestMappingHandlerMapping> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (RequestMappingHandlerMapping mapping : mappings.get()) {
            boolean annotated = false;
            for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
                if (!RequiredHandlerMethods.isAnnotated(entry.getValue())) {
                    continue;
                }
                annotated = true;
                String problem = RequiredHandlerMethods.unprotected(entry.getValue(),
                        entry.getKey().getMethodsCondition().getMethods(), protectedMethods);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            if (annotated) {
                found.add(mapping);
            }
        }
        if (!problems.isEmpty()) {
            throw RequiredHandlerMethods.failure(protectedMethods, problems);
        }
        return List.copyOf(found);
    }
}
