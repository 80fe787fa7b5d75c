package dev.idempotent.web;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;

/**
 * What the Spring MVC and the WebFlux lookups of {@link IdempotencyKeyRequired} handlers share: whether a
 * handler method carries the annotation, and the startup check that every annotated mapping is for an HTTP
 * method the filter protects.
 */
final class RequiredHandlerMethods {

    private RequiredHandlerMethods() {}

    /**
     * The request mappings of one web stack that have annotated handler methods, found once, when first asked
     * for (after startup), and checked.
     *
     * @param <M> the stack's request mapping
     * @param <I> its mapping info
     */
    static final class AnnotatedMappings<M, I> {

        private final Supplier<? extends Collection<M>> mappings;

        private final Function<M, Map<I, HandlerMethod>> handlerMethods;

        private final Function<I, Set<RequestMethod>> methodsOf;

        private final Set<String> protectedMethods = new HashSet<>();

        private volatile @Nullable List<M> found;

        AnnotatedMappings(
                Supplier<? extends Collection<M>> mappings,
                Function<M, Map<I, HandlerMethod>> handlerMethods,
                Function<I, Set<RequestMethod>> methodsOf,
                Collection<String> protectedMethods) {
            this.mappings = mappings;
            this.handlerMethods = handlerMethods;
            this.methodsOf = methodsOf;
            protectedMethods.forEach(method -> this.protectedMethods.add(method.toUpperCase(Locale.ROOT)));
        }

        /**
         * @throws IdempotencyConfigurationException when an annotated handler is mapped to an HTTP method that
         *     the filter does not protect
         */
        List<M> get() {
            List<M> result = found;
            if (result == null) {
                synchronized (this) {
                    result = found;
                    if (result == null) {
                        result = scan();
                        found = result;
                    }
                }
            }
            return result;
        }

        private List<M> scan() {
            List<M> annotatedMappings = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (M mapping : mappings.get()) {
                boolean annotated = false;
                for (Map.Entry<I, HandlerMethod> entry :
                        handlerMethods.apply(mapping).entrySet()) {
                    if (!isAnnotated(entry.getValue())) {
                        continue;
                    }
                    annotated = true;
                    String problem = unprotected(entry.getValue(), methodsOf.apply(entry.getKey()), protectedMethods);
                    if (problem != null) {
                        problems.add(problem);
                    }
                }
                if (annotated) {
                    annotatedMappings.add(mapping);
                }
            }
            if (!problems.isEmpty()) {
                throw failure(protectedMethods, problems);
            }
            return List.copyOf(annotatedMappings);
        }
    }

    static boolean isAnnotated(HandlerMethod method) {
        return AnnotatedElementUtils.hasAnnotation(method.getMethod(), IdempotencyKeyRequired.class)
                || AnnotatedElementUtils.hasAnnotation(method.getBeanType(), IdempotencyKeyRequired.class);
    }

    /**
     * The problem with an annotated mapping for {@code mapped} HTTP methods, or {@code null} if the filter
     * protects them all.
     */
    private static @Nullable String unprotected(
            HandlerMethod handler, Set<RequestMethod> mapped, Set<String> protectedMethods) {
        Set<String> unprotected = new TreeSet<>();
        mapped.forEach(method -> {
            if (!protectedMethods.contains(method.name())) {
                unprotected.add(method.name());
            }
        });
        return unprotected.isEmpty() ? null : handler.getShortLogMessage() + " is mapped to " + unprotected;
    }

    private static IdempotencyConfigurationException failure(Set<String> protectedMethods, List<String> problems) {
        return new IdempotencyConfigurationException("@IdempotencyKeyRequired is on handlers for HTTP methods"
                + " that the Idempotency-Key filter does not protect (idempotency.http.methods = "
                + new TreeSet<>(protectedMethods) + "): " + String.join("; ", problems)
                + ". Add those methods to idempotency.http.methods, or remove the annotation");
    }
}
