package dev.idempotent.web;

import dev.idempotent.IdempotencyConfigurationException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Finds the Spring MVC handler methods annotated with {@link IdempotencyKeyRequired} and tells
 * {@link IdempotencyKeyFilter} whether a request is mapped to one. Checked once at startup (as a bean:
 * after all singletons exist): an annotated mapping for an HTTP method the filter does not protect fails
 * the startup. When no handler is annotated, a request costs nothing.
 */
public class IdempotencyKeyRequiredHandlers implements SmartInitializingSingleton {

    private final RequiredHandlerMethods.AnnotatedMappings<RequestMappingHandlerMapping, RequestMappingInfo>
            annotatedMappings;

    /**
     * @param mappings the application's request mappings (asked for once, after startup)
     * @param protectedMethods the HTTP methods the filter protects ({@code idempotency.http.methods})
     */
    public IdempotencyKeyRequiredHandlers(
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

    /** Whether {@code request} is mapped to a handler method annotated with {@link IdempotencyKeyRequired}. */
    public boolean isKeyRequired(HttpServletRequest request) {
        List<RequestMappingHandlerMapping> candidates = annotatedMappings.get();
        if (candidates.isEmpty()) {
            return false;
        }
        HttpServletRequest probe = new AttributeIsolatingRequest(request);
        ServletRequestPathUtils.parseAndCache(probe);
        for (RequestMappingHandlerMapping mapping : candidates) {
            HandlerExecutionChain chain;
            try {
                chain = mapping.getHandler(probe);
            } catch (Exception e) {
                return false; // no handler for this method or media type: Spring MVC answers that itself
            }
            if (chain != null) {
                return chain.getHandler() instanceof HandlerMethod method && RequiredHandlerMethods.isAnnotated(method);
            }
        }
        return false;
    }

    /**
     * Lets a handler mapping look the request up without leaving its attributes (path, matched pattern,
     * URI variables) on the real request, which Spring MVC works out again when it dispatches.
     */
    private static final class AttributeIsolatingRequest extends HttpServletRequestWrapper {

        private static final Object REMOVED = new Object();

        private final Map<String, Object> attributes = new HashMap<>();

        AttributeIsolatingRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public @Nullable Object getAttribute(String name) {
            Object value = attributes.get(name);
            if (value == REMOVED) {
                return null;
            }
            return value != null ? value : super.getAttribute(name);
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            Set<String> names = new LinkedHashSet<>(Collections.list(super.getAttributeNames()));
            attributes.forEach((name, value) -> {
                if (value == REMOVED) {
                    names.remove(name);
                } else {
                    names.add(name);
                }
            });
            return Collections.enumeration(names);
        }

        @Override
        public void setAttribute(String name, Object value) {
            attributes.put(name, value == null ? REMOVED : value);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.put(name, REMOVED);
        }
    }
}
