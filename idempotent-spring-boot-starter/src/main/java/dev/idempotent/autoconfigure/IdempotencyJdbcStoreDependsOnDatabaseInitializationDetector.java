package dev.idempotent.autoconfigure;

import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import java.util.Set;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;

/**
 * {@link DependsOnDatabaseInitializationDetector} for {@link JdbcIdempotencyStore}: the store bean is created
 * after every database initializer (the store's own schema initializer, Flyway, Liquibase, Spring Boot's SQL
 * scripts), so its startup check finds the table that any of them creates.
 */
class IdempotencyJdbcStoreDependsOnDatabaseInitializationDetector
        extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

    @Override
    protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
        return Set.of(JdbcIdempotencyStore.class);
    }
}
