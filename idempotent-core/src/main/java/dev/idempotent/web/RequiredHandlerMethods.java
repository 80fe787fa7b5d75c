package dev.idempotent.web;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;

/**
 * What the Spring MVC and the WebFlux lookups of {@link IdempotencyKeyRequired} handlers share: whether a
 * handler method carries the annotation, and the startup check that every annotated mapping is for an HTTP
 * method the filter protects.
 */
final class RequiredHandlerMethods {

    private RequiredHandlerMethods() {
    }

    static boolean isAnnotated(HandlerMethod method) {
        return AnnotatedElementUtils.hasAnnotation(method.getMethod(), IdempotencyKeyRequired.class)
                || AnnotatedElementUtils.hasAnnotation(method.getBeanType(), IdempotencyKeyRequired.class);
    }

    /**
     * The problem with an annotated mapping for {@code mapped} HTTP methods, or {@code null} if the filter
     * protects them all.
     */
    static String unprotected(HandlerMethod handler, Set<RequestMethod> mapped, Set<String> protectedMethods) {
        Set<String> unprotected = new TreeSet<>();
        mapped.forEach(method -> {
            if (!protectedMethods.contains(method.name())) {
                unprotected.add(method.name());
            }
        });
        return unprotected.isEmpty() ? null : handler.getShortLogMessage() + " is mapped to " + unprotected;
    }

    static IdempotencyConfigurationException failure(Set<String> protectedMethods, List<String> problems) {
        return new IdempotencyConfigurationException("@IdempotencyKeyRequired is on handlers for HTTP methods"
                + " that the Idempotency-Key filter does not protect (idempotency.http.methods = "
                + new TreeSet<>(protectedMethods) + "): " + String.join("; ", problems)
                + ". Add those methods to idempotency.http.methods, or remove the annotation");
    }
}
