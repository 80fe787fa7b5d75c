package dev.idempotent.interceptor;

import dev.idempotent.Idempotent;
import java.io.Serializable;
import java.lang.reflect.Method;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Matches the methods that carry {@link Idempotent} (or implement one that does), like Spring's
 * {@code CacheOperationSourcePointcut}: its class filter first skips, without looking at their methods, the
 * classes that cannot carry the annotation ({@code java.*} types, {@code Ordered}).
 */
@SuppressWarnings("serial")
final class IdempotentOperationPointcut extends StaticMethodMatcherPointcut implements Serializable {

    IdempotentOperationPointcut() {
        setClassFilter(new CandidateClassFilter());
    }

    @Override
    public boolean matches(Method method, Class<?> targetClass) {
        return IdempotentOperationSource.isIdempotent(method, targetClass);
    }

    private static final class CandidateClassFilter implements ClassFilter, Serializable {

        @Override
        public boolean matches(Class<?> clazz) {
            return AnnotationUtils.isCandidateClass(clazz, Idempotent.class);
        }
    }
}
