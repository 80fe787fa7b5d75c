package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.Idempotent;
import dev.idempotent.store.IdempotencyStore;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Checks every {@code @Idempotent} method of every bean as the bean is created, so a key expression that
 * does not parse, a duration that cannot be read, a store that does not exist or a return type that
 * cannot be stored stops the application at startup with a message naming the class and method.
 */
public class IdempotentMethodValidator implements BeanPostProcessor, BeanFactoryAware {

    private final Supplier<IdempotentOperationSource> operations;

    private @Nullable BeanFactory beanFactory;

    /** @param operations supplies the operation source when the first bean with a method is checked */
    public IdempotentMethodValidator(Supplier<IdempotentOperationSource> operations) {
        this.operations = operations;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (targetClass.getName().startsWith("org.springframework.")) {
            return bean;
        }
        ReflectionUtils.doWithMethods(
                targetClass,
                method -> validate(method, targetClass),
                method -> !method.isBridge()
                        && !method.isSynthetic()
                        && AnnotatedElementUtils.hasAnnotation(method, Idempotent.class));
        return bean;
    }

    private void validate(Method method, Class<?> targetClass) {
        IdempotentOperation operation = operations.get().getOperation(method, targetClass);
        if (operation == null) {
            return;
        }
        if (Modifier.isFinal(method.getModifiers()) || Modifier.isStatic(method.getModifiers())) {
            throw new IdempotencyConfigurationException("@Idempotent on " + operation.description()
                    + " has no effect: the method is " + (Modifier.isStatic(method.getModifiers()) ? "static" : "final")
                    + ", so a proxy cannot intercept it");
        }
        String store = operation.storeName();
        if (!store.isEmpty()
                && beanFactory instanceof ListableBeanFactory listable
                && !(listable.containsBean(store) && listable.isTypeMatch(store, IdempotencyStore.class))) {
            throw new IdempotencyConfigurationException("@Idempotent(store = \"" + store + "\") on "
                    + operation.description() + " names no IdempotencyStore bean; define an IdempotencyStore bean"
                    + " named '" + store + "'");
        }
    }
}
