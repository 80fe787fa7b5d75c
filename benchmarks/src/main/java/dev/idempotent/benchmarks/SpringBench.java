package dev.idempotent.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.idempotent.Idempotent;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.interceptor.IdempotencyAdvisor;
import dev.idempotent.interceptor.IdempotencyInterceptor;
import dev.idempotent.interceptor.IdempotentOperationSource;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * A small Spring context as an application has it: one bean, {@link Orders}, with an {@code @Idempotent}
 * method and a {@code @Cacheable} method that do the same work, proxied by the one auto-proxy creator that
 * {@code @EnableCaching} registers. The idempotency beans are wired by hand the way the starter's
 * auto-configuration wires them (engine, operation source, fingerprints, interceptor, infrastructure advisor);
 * the cache is Spring's {@link CaffeineCacheManager}, bounded like the embedded idempotency store.
 */
final class SpringBench implements AutoCloseable {

    /** The key of every replay and cache hit. */
    static final String HIT = "order-42";

    private final AnnotationConfigApplicationContext context;

    private final Orders orders;

    SpringBench(IdempotencyStore store, IdempotencyEngine engine) {
        context = new AnnotationConfigApplicationContext();
        context.registerBean("idempotencyStore", IdempotencyStore.class, () -> store);
        context.registerBean("idempotencyEngine", IdempotencyEngine.class, () -> engine);
        context.register(Config.class);
        context.refresh();
        orders = context.getBean(Orders.class);
        if (!AopUtils.isAopProxy(orders)) {
            throw new IllegalStateException("Orders is not proxied; the benchmark would measure the bare method");
        }
    }

    Orders orders() {
        return orders;
    }

    @Override
    public void close() {
        context.close();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching(proxyTargetClass = true)
    static class Config {

        @Bean
        CaffeineCacheManager cacheManager() {
            CaffeineCacheManager manager = new CaffeineCacheManager("receipts");
            manager.setCaffeine(Caffeine.newBuilder().maximumSize(CaffeineIdempotencyStore.DEFAULT_MAXIMUM_SIZE));
            return manager;
        }

        @Bean
        @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
        static IdempotencyAdvisor idempotencyAdvisor() {
            IdempotencyAdvisor advisor = new IdempotencyAdvisor();
            advisor.setAdviceBeanName("idempotencyInterceptor");
            return advisor;
        }

        @Bean
        @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
        IdempotencyInterceptor idempotencyInterceptor(
                IdempotencyEngine engine, IdempotencyStore idempotencyStore, ConfigurableBeanFactory beanFactory) {
            IdempotentOperationSource operations = new IdempotentOperationSource(
                    IdempotencyDefaults.STANDARD, Requests.MAPPER, new EmbeddedValueResolver(beanFactory));
            return new IdempotencyInterceptor(
                    operations, engine, idempotencyStore, new Fingerprints(Requests.MAPPER), beanFactory);
        }

        @Bean
        Orders orders() {
            return new Orders();
        }
    }

    /** The application's bean: the same work behind either annotation, the key being the argument. */
    public static class Orders {

        @Idempotent(key = "#orderId")
        public Receipt place(String orderId) {
            return Workload.receipt(orderId);
        }

        @Cacheable(cacheNames = "receipts", key = "#orderId")
        public Receipt cachedPlace(String orderId) {
            return Workload.receipt(orderId);
        }
    }
}
