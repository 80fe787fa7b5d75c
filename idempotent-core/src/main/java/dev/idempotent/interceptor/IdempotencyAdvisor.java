package dev.idempotent.interceptor;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;

/**
 * Applies the {@link IdempotencyInterceptor} to every method annotated with
 * {@link dev.idempotent.Idempotent}, as Spring's {@code BeanFactoryCacheOperationSourceAdvisor} applies its
 * cache interceptor. Its order places it outside {@code @Transactional} (whose advisor has the lowest
 * precedence by default), so a result is recorded only after the transaction commits.
 *
 * <p>Name the interceptor bean with {@link #setAdviceBeanName}: it is looked up once, when the advice is
 * first needed, so the interceptor (and the store, the engine and their dependencies) is not created while
 * the auto-proxy creator collects advisors at startup. Or give it directly with {@link #setAdvice}.
 */
@SuppressWarnings("serial")
public class IdempotencyAdvisor extends AbstractBeanFactoryPointcutAdvisor {

    /** Default order: after Spring Security's method security (≤ 600), before transactions. */
    public static final int DEFAULT_ORDER = 1000;

    private final Pointcut pointcut = new IdempotentOperationPointcut();

    public IdempotencyAdvisor() {
        setOrder(DEFAULT_ORDER);
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }
}
