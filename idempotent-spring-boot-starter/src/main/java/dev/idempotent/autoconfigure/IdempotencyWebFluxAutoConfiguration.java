package dev.idempotent.autoconfigure;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.ReactiveIdempotencyEngine;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.web.IdempotencyKeyWebFilter;
import dev.idempotent.web.IdempotencyProblemDetailsWebExceptionHandler;
import dev.idempotent.web.ReactiveIdempotencyKeyRequiredHandlers;
import dev.idempotent.web.ReactiveIdempotencyKeyScope;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration of the HTTP {@code Idempotency-Key} filter and of problem details in reactive (WebFlux)
 * web applications, with the same properties and rules as in servlet ones ({@link IdempotencyWebAutoConfiguration},
 * {@link IdempotencyProblemDetailsAutoConfiguration}): the {@link IdempotencyKeyWebFilter} (order
 * {@code idempotency.http.filter-order}, after Spring Security) on the {@link ReactiveIdempotencyStore} bean (the
 * reactive Redis store) or else the {@link IdempotencyStore} bean (Caffeine in place, JDBC on the bounded elastic
 * scheduler), scoped by the {@link ReactiveIdempotencyKeyScope} bean (default: the principal); and the
 * {@link IdempotencyProblemDetailsWebExceptionHandler}. Off with {@code idempotency.http.enabled=false} and
 * {@code idempotency.http.problem-details.enabled=false}.
 */
@AutoConfiguration(
        after = IdempotencyAutoConfiguration.class,
        afterName = "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(name = {"reactor.core.publisher.Mono", "org.springframework.web.server.WebFilter"})
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyHttpProperties.class)
public class IdempotencyWebFluxAutoConfiguration {

    /** The {@code Idempotency-Key} filter. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "idempotency.http.enabled", matchIfMissing = true)
    @ConditionalOnBean({IdempotencyEngine.class, IdempotencyStore.class})
    static class KeyFilterConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactiveIdempotencyKeyScope reactiveIdempotencyKeyScope() {
            return ReactiveIdempotencyKeyScope.principal();
        }

        @Bean
        @ConditionalOnMissingBean
        IdempotencyKeyWebFilter idempotencyKeyWebFilter(
                IdempotencyEngine engine,
                IdempotencyStore idempotencyStore,
                ObjectProvider<ReactiveIdempotencyStore> reactiveStore,
                ReactiveIdempotencyKeyScope scope,
                IdempotencyHttpProperties properties,
                ObjectProvider<IdempotencyProperties> idempotencyProperties,
                ObjectProvider<ReactiveIdempotencyKeyRequiredHandlers> requiredHandlers) {
            // With several stores, the @Primary one or the one named idempotencyStore is the default.
            ReactiveIdempotencyStore store =
                    reactiveStore.getIfUnique(() -> ReactiveIdempotencyStore.of(idempotencyStore));
            IdempotencyKeyWebFilter filter = new IdempotencyKeyWebFilter(
                    new ReactiveIdempotencyEngine(engine),
                    store,
                    properties.toPolicy(idempotencyProperties
                            .getIfAvailable(IdempotencyProperties::new)
                            .getMaxPayloadSize()));
            filter.setScope(scope);
            filter.setRequiredHandlers(requiredHandlers.getIfAvailable());
            filter.setOrder(properties.getFilterOrder());
            return filter;
        }
    }

    /** Finds {@code @IdempotencyKeyRequired} handler methods; checked at startup. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "idempotency.http.enabled", matchIfMissing = true)
    @ConditionalOnClass(name = "org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping")
    static class RequiredHandlersConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactiveIdempotencyKeyRequiredHandlers reactiveIdempotencyKeyRequiredHandlers(
                ObjectProvider<RequestMappingHandlerMapping> mappings, IdempotencyHttpProperties properties) {
            return new ReactiveIdempotencyKeyRequiredHandlers(
                    () -> mappings.orderedStream().toList(), properties.getMethods());
        }
    }

    /** Problem details for the exceptions of {@code @Idempotent} methods. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "idempotency.http.problem-details.enabled", matchIfMissing = true)
    static class ProblemDetailsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        IdempotencyProblemDetailsWebExceptionHandler idempotencyProblemDetailsWebExceptionHandler() {
            return new IdempotencyProblemDetailsWebExceptionHandler();
        }
    }
}
