package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyConfigurationException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import org.springframework.core.ResolvableType;

/**
 * Whether an {@code @Idempotent} method returns a Reactor publisher, and so runs when it is subscribed:
 * {@code Mono<T>} stores a {@code T}, {@code Flux<T>} a {@code List<T>}. Found by the type's name, so that
 * Reactor stays optional.
 */
enum ReactiveKind {

    /** Anything else: the call runs when the method is called. */
    NONE,

    /** {@code Mono<T>}: the value is stored when it completes. */
    MONO,

    /** {@code Flux<T>}: the elements are stored as a list when it completes. */
    FLUX;

    static ReactiveKind of(Class<?> returnType) {
        for (Class<?> type = returnType; type != null; type = type.getSuperclass()) {
            switch (type.getName()) {
                case "reactor.core.publisher.Mono":
                    return MONO;
                case "reactor.core.publisher.Flux":
                    return FLUX;
                default:
            }
        }
        return NONE;
    }

    /**
     * The type a store keeps for {@code method}'s results: its return type, the {@code T} of a {@code Mono<T>}
     * or a {@code List<T>} for a {@code Flux<T>}.
     *
     * @throws IdempotencyConfigurationException for a {@code Mono} or {@code Flux} without its element type
     */
    Type storedType(Method method, Class<?> targetClass, String description) {
        if (this == NONE) {
            return method.getGenericReturnType();
        }
        ResolvableType element =
                ResolvableType.forMethodReturnType(method, targetClass).getGeneric(0);
        if (method.getGenericReturnType() instanceof Class
                || element == ResolvableType.NONE
                || element.resolve() == null) {
            throw new IdempotencyConfigurationException(
                    description + " returns a " + method.getReturnType().getSimpleName()
                            + " without its element type, so its result cannot be stored for replay; declare it, such as "
                            + method.getReturnType().getSimpleName() + "<Receipt>");
        }
        return this == MONO
                ? element.getType()
                : ResolvableType.forClassWithGenerics(List.class, element).getType();
    }
}
