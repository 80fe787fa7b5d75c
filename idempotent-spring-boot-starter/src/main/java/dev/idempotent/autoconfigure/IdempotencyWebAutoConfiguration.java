package dev.idempotent.autoconfigure;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.web.IdempotencyKeyFilter;
import dev.idempotent.web.IdempotencyKeyRequiredHandlers;
import dev.idempotent.web.IdempotencyKeyScope;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration of the HTTP {@code Idempotency-Key} filter in servlet web applications: registers
 * {@link IdempotencyKeyFilter} (order {@code idempotency.http.filter-order}, after Spring Security), with
 * the engine and store of {@link IdempotencyAutoConfiguration}, the {@link IdempotencyKeyScope} bean
 * (default: the authenticated principal) and the {@code @IdempotencyKeyRequired} handler lookup when
 * Spring MVC is present. Off with {@code idempotency.http.enabled=false} (or {@code idempotency.enabled=false}).
 */
@AutoConfiguration(
        after = IdempotencyAutoConfiguration.class,
        afterName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({
    IdempotencyKeyFilter.class,
    jakarta.servlet.Filter.class,
    org.springframework.web.filter.OncePerRequestFilter.class
})
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "idempotency.http.enabled", matchIfMissing = true)
@ConditionalOnBean({IdempotencyEngine.class, IdempotencyStore.class})
@EnableConfigurationProperties(IdempotencyHttpProperties.class)
public class IdempotencyWebAutoConfiguration {

    /** Name of the filter's registration bean; define a bean with this name to register it yourself. */
    public static final String FILTER_REGISTRATION_BEAN_NAME = "idempotencyKeyFilterRegistration";

    @Bean
    @ConditionalOnMissingBean
    public IdempotencyKeyScope idempotencyKeyScope() {
        return IdempotencyKeyScope.principal();
    }

    @Bean(FILTER_REGISTRATION_BEAN_NAME)
    @ConditionalOnMissingBean(name = FILTER_REGISTRATION_BEAN_NAME)
    public FilterRegistrationBean<IdempotencyKeyFilter> idempotencyKeyFilterRegistration(
            IdempotencyEngine engine,
            IdempotencyStore idempotencyStore,
            IdempotencyKeyScope scope,
            IdempotencyHttpProperties properties,
            ObjectProvider<IdempotencyKeyRequiredHandlers> requiredHandlers,
            ObjectProvider<IdempotencyProperties> idempotencyProperties) {
        // With several stores, the @Primary one or the one named idempotencyStore is the default.
        IdempotencyKeyFilter filter = new IdempotencyKeyFilter(
                engine,
                idempotencyStore,
                properties.toPolicy(idempotencyProperties
                        .getIfAvailable(IdempotencyProperties::new)
                        .getMaxPayloadSize()));
        filter.setRequiredHandlers(requiredHandlers.getIfAvailable());
        filter.setScope(scope);
        FilterRegistrationBean<IdempotencyKeyFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("idempotencyKeyFilter");
        registration.setOrder(properties.getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }

    /** Finds {@code @IdempotencyKeyRequired} handler methods; checked at startup. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestMappingHandlerMapping.class)
    static class RequiredHandlersConfiguration {

        @Bean
        @ConditionalOnMissingBean
        IdempotencyKeyRequiredHandlers idempotencyKeyRequiredHandlers(
                ObjectProvider<RequestMappingHandlerMapping> mappings, IdempotencyHttpProperties properties) {
            return new IdempotencyKeyRequiredHandlers(
                    () -> mappings.orderedStream().toList(), properties.getMethods());
        }
    }
}
