package dev.idempotent.aspect;

import java.lang.reflect.Method;
import java.util.function.Supplier;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Applies the {@link IdempotencyInterceptor} to every method annotated with
 * {@link dev.idempotent.Idempotent}. Its order places it outside {@code @Transactional} (whose advisor
 * has the lowest precedence by default), so a result is recorded only after the transaction commits.
 */
public class IdempotencyAdvisor extends AbstractPointcutAdvisor {

    /** Default order: after Spring Security's method security (≤ 600), before transactions. */
    public static final int DEFAULT_ORDER = 1000;

    private final transient MethodInterceptor advice;

    private final Pointcut pointcut = new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return IdempotentOperationSource.isIdempotent(method, targetClass);
        }
    };

    public IdempotencyAdvisor(IdempotencyInterceptor interceptor) {
        this.advice = interceptor;
        setOrder(DEFAULT_ORDER);
    }

    /**
     * An advisor whose interceptor (and so the store, the engine and their dependencies) is created on
     * the first intercepted call, not while the auto-proxy creator collects advisors at startup.
     */
    public IdempotencyAdvisor(Supplier<IdempotencyInterceptor> interceptor) {
        this.advice = invocation -> interceptor.get().invoke(invocation);
        setOrder(DEFAULT_ORDER);
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return advice;
    }
}
