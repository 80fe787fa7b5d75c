package dev.idempotent.interceptor;

import dev.idempotent.InvalidIdempotencyKeyException;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;

/**
 * Evaluates an operation's parsed key expression against one call, in a method-based evaluation context
 * that resolves parameter names only when the expression uses them.
 */
class IdempotencyKeyEvaluator {

    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

    private final @Nullable BeanFactoryResolver beanResolver;

    IdempotencyKeyEvaluator(@Nullable BeanFactory beanFactory) {
        this.beanResolver = beanFactory == null ? null : new BeanFactoryResolver(beanFactory);
    }

    /**
     * @throws InvalidIdempotencyKeyException if the expression fails, or yields null or a blank string
     */
    String evaluateKey(
            IdempotentOperation operation,
            Expression expression,
            Method method,
            @Nullable Object[] args,
            @Nullable Object target,
            @Nullable Class<?> targetClass) {
        Object value;
        try {
            value = expression.getValue(context(operation, method, args, target, targetClass));
        } catch (EvaluationException e) {
            throw new InvalidIdempotencyKeyException(
                    "The key expression '" + operation.keySource() + "' on " + operation.description() + " failed: "
                            + e.getMessage() + "; the method did not run",
                    e);
        }
        if (value == null) {
            throw new InvalidIdempotencyKeyException("The key expression '" + operation.keySource() + "' on "
                    + operation.description() + " returned null; the method did not run. Pass a value for the key,"
                    + " or use the safe navigation operator with a fallback such as '#order?.id ?: \"none\"'");
        }
        String key = value.toString();
        if (key.isBlank()) {
            throw new InvalidIdempotencyKeyException("The key expression '" + operation.keySource() + "' on "
                    + operation.description() + " returned a blank string; the method did not run");
        }
        return key;
    }

    /**
     * @throws InvalidIdempotencyKeyException if the fingerprint expression fails
     */
    @Nullable
    Object evaluateFingerprint(
            IdempotentOperation operation,
            Expression expression,
            Method method,
            @Nullable Object[] args,
            @Nullable Object target,
            @Nullable Class<?> targetClass) {
        try {
            return expression.getValue(context(operation, method, args, target, targetClass));
        } catch (EvaluationException e) {
            throw new InvalidIdempotencyKeyException(
                    "The fingerprint expression '" + operation.fingerprintSource() + "' on " + operation.description()
                            + " failed: " + e.getMessage() + "; the method did not run",
                    e);
        }
    }

    private MethodBasedEvaluationContext context(
            IdempotentOperation operation,
            Method method,
            @Nullable Object[] args,
            @Nullable Object target,
            @Nullable Class<?> targetClass) {
        var root = new IdempotencyExpressionRootObject(method, args, target, targetClass);
        var context = new MethodBasedEvaluationContext(root, operation.method(), args, parameterNames);
        if (beanResolver != null) {
            context.setBeanResolver(beanResolver);
        }
        return context;
    }
}
