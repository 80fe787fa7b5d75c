package dev.idempotent.support;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.store.IdempotencyStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;

/** The default store and the named ones ({@code @Idempotent(store = "...")}), looked up once each. */
public final class IdempotencyStores {

    private final IdempotencyStore defaultStore;

    private final @Nullable BeanFactory beanFactory;

    private final Map<String, IdempotencyStore> named = new ConcurrentHashMap<>();

    /** @param beanFactory where named stores are found; {@code null} allows only the default store */
    public IdempotencyStores(IdempotencyStore defaultStore, @Nullable BeanFactory beanFactory) {
        this.defaultStore = defaultStore;
        this.beanFactory = beanFactory;
    }

    /**
     * @param name a store bean name, or {@code null}/empty for the default store
     * @param user names who asks, for the error message
     * @throws IdempotencyConfigurationException if there is no such store
     */
    public IdempotencyStore get(@Nullable String name, String user) {
        if (name == null || name.isEmpty()) {
            return defaultStore;
        }
        return named.computeIfAbsent(name, n -> {
            if (beanFactory == null) {
                throw new IdempotencyConfigurationException(user + " asks for store '" + n + "', but stores can only"
                        + " be named in an application context");
            }
            if (!beanFactory.containsBean(n) || !beanFactory.isTypeMatch(n, IdempotencyStore.class)) {
                throw new IdempotencyConfigurationException(
                        user + " asks for store '" + n + "', which is not an IdempotencyStore bean");
            }
            try {
                return beanFactory.getBean(n, IdempotencyStore.class);
            } catch (BeansException e) {
                throw new IdempotencyConfigurationException(
                        user + " asks for store '" + n + "', which is not an IdempotencyStore bean: " + e.getMessage(),
                        e);
            }
        });
    }

    public IdempotencyStore getDefault() {
        return defaultStore;
    }
}
