package dev.idempotent.interceptor;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * The {@code #root} of a key expression: {@code #root.method}, {@code #root.methodName},
 * {@code #root.args}, {@code #root.target}, {@code #root.targetClass}.
 */
public final class IdempotencyExpressionRootObject {

    private final Method method;

    private final @Nullable Object[] args;

    private final @Nullable Object target;

    private final @Nullable Class<?> targetClass;

    IdempotencyExpressionRootObject(
            Method method, @Nullable Object[] args, @Nullable Object target, @Nullable Class<?> targetClass) {
        this.method = method;
        this.args = args;
        this.target = target;
        this.targetClass = targetClass;
    }

    public Method getMethod() {
        return method;
    }

    public String getMethodName() {
        return method.getName();
    }

    public @Nullable Object[] getArgs() {
        return args;
    }

    public @Nullable Object getTarget() {
        return target;
    }

    public @Nullable Class<?> getTargetClass() {
        return targetClass;
    }
}
