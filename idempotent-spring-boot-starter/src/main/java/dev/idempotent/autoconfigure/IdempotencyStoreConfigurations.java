package dev.idempotent.autoconfigure;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.ReactiveRedisIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.autoconfigure.init.OnDatabaseInitializationCondition;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * One configuration per store, tried in this order when {@code idempotency.store} is not set: Redis if
 * the application has a RedisConnectionFactory, else JDBC if it has a DataSource, else Caffeine. Each
 * backs off when the application defines its own {@link IdempotencyStore}.
 */
final class IdempotencyStoreConfigurations {

    private static final Log logger = LogFactory.getLog(IdempotencyStoreConfigurations.class);

    private IdempotencyStoreConfigurations() {}

    static void logChoice(String store, String why) {
        logger.info("Idempotency store: " + store + " (" + why + ")");
    }

    static String why(Environment environment, String automatic) {
        return environment.containsProperty("idempotency.store")
                ? "idempotency.store=" + environment.getProperty("idempotency.store")
                : automatic + "; set idempotency.store to choose another";
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RedisConnectionFactory.class, RedisIdempotencyStore.class})
    @ConditionalOnBean(RedisConnectionFactory.class)
    @ConditionalOnMissingBean(IdempotencyStore.class)
    @ConditionalOnStoreType(StoreType.REDIS)
    static class Redis {

        @Bean
        RedisIdempotencyStore idempotencyStore(
                RedisConnectionFactory connectionFactory, IdempotencyProperties properties, Environment environment) {
            logChoice(
                    "redis, " + RedisLocation.describe(connectionFactory) + ", key prefix '"
                            + properties.getRedis().getKeyPrefix() + "'",
                    why(environment, "the application has a RedisConnectionFactory"));
            return new RedisIdempotencyStore(
                    connectionFactory, properties.getRedis().getKeyPrefix());
        }

        /**
         * The same records for {@code Mono} and {@code Flux} methods, without blocking: the reactive Redis store
         * with the same key prefix, when the connection factory is a reactive one too (Lettuce's is).
         */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "reactor.core.publisher.Mono")
        static class ReactiveRedis {

            @Bean
            @ConditionalOnMissingBean(ReactiveIdempotencyStore.class)
            @ConditionalOnBean(ReactiveRedisConnectionFactory.class)
            ReactiveRedisIdempotencyStore reactiveIdempotencyStore(
                    ReactiveRedisConnectionFactory connectionFactory, IdempotencyProperties properties) {
                return new ReactiveRedisIdempotencyStore(
                        connectionFactory, properties.getRedis().getKeyPrefix());
            }
        }

        /** Warns, once the application runs, when Redis may evict claims (never holds up startup). */
        @Bean
        ApplicationListener<ApplicationReadyEvent> idempotencyRedisEvictionCheck(RedisIdempotencyStore store) {
            return event -> store.checkEvictionPolicy();
        }
    }

    /**
     * The JDBC store, its table through Spring Boot's database initialization (as Spring Session JDBC's), and
     * the cleanup of expired rows.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({JdbcTemplate.class, JdbcIdempotencyStore.class, DataSourceScriptDatabaseInitializer.class})
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean(IdempotencyStore.class)
    @ConditionalOnStoreType(StoreType.JDBC)
    @EnableConfigurationProperties(IdempotencyJdbcProperties.class)
    @Import(DatabaseInitializationDependencyConfigurer.class)
    static class Jdbc {

        @Bean
        @ConditionalOnMissingBean
        @Conditional(OnIdempotencyJdbcInitializationCondition.class)
        IdempotencyJdbcSchemaInitializer idempotencyJdbcSchemaInitializer(
                DataSource dataSource, IdempotencyJdbcProperties properties) {
            return new IdempotencyJdbcSchemaInitializer(dataSource, properties);
        }

        /** Created after every database initializer (IdempotencyJdbcStoreDependsOnDatabaseInitializationDetector). */
        @Bean
        JdbcIdempotencyStore idempotencyStore(
                DataSource dataSource,
                IdempotencyJdbcProperties properties,
                ObjectProvider<PlatformTransactionManager> transactionManager,
                Environment environment) {
            JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource, properties.getTableName());
            store.setCompleteInTransaction(properties.isCompleteInTransaction());
            transactionManager.ifUnique(store::setTransactionManager);
            JdbcStoreStartupChecks.Database database = JdbcStoreStartupChecks.inspect(dataSource);
            JdbcStoreStartupChecks.requireTable(dataSource, database, properties);
            logChoice(
                    "jdbc, " + (database == null ? "database not reachable at startup" : database.url())
                            + ", table '" + properties.getTableName() + "'"
                            + (properties.isCompleteInTransaction()
                                    ? ", completing in the operation's transaction"
                                    : ""),
                    why(environment, "the application has a DataSource and no RedisConnectionFactory"));
            String inMemory = JdbcStoreStartupChecks.inMemoryWarning(database, JdbcStoreStartupChecks.runningInTests());
            if (inMemory != null) {
                logger.warn(inMemory);
            }
            return store;
        }

        /** On the application's TaskScheduler named idempotencyTaskScheduler if it has one, else on its own. */
        @Bean
        JdbcExpiredRecordCleanup idempotencyJdbcCleanup(
                JdbcIdempotencyStore store,
                IdempotencyJdbcProperties properties,
                @Qualifier(JdbcExpiredRecordCleanup.SCHEDULER_BEAN_NAME) ObjectProvider<TaskScheduler> taskScheduler) {
            return new JdbcExpiredRecordCleanup(
                    store,
                    taskScheduler.getIfAvailable(),
                    properties.getCleanupInterval(),
                    properties.getCleanupBatchSize());
        }

        /** The schema initializer unless {@code idempotency.jdbc.initialize-schema=never}. */
        static class OnIdempotencyJdbcInitializationCondition extends OnDatabaseInitializationCondition {

            OnIdempotencyJdbcInitializationCondition() {
                super("Idempotency JDBC", "idempotency.jdbc.initialize-schema");
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.github.benmanes.caffeine.cache.Caffeine")
    @ConditionalOnMissingBean(IdempotencyStore.class)
    @ConditionalOnStoreType(StoreType.CAFFEINE)
    static class Caffeine {

        @Bean
        CaffeineIdempotencyStore idempotencyStore(IdempotencyProperties properties, Environment environment) {
            IdempotencyProperties.Caffeine caffeine = properties.getCaffeine();
            logChoice(
                    "caffeine, in memory, this JVM only, at most " + caffeine.getMaximumSize() + " records and "
                            + caffeine.getMaximumWeight(),
                    why(environment, "no RedisConnectionFactory or DataSource"));
            return new CaffeineIdempotencyStore(
                    caffeine.getMaximumSize(), caffeine.getMaximumWeight().toBytes());
        }
    }

    /** Explains, at startup, why the store that {@code idempotency.store} names cannot be made. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(IdempotencyStore.class)
    static class Missing {

        @Bean
        IdempotencyStore idempotencyStore(Environment environment) {
            StoreType chosen = Binder.get(environment)
                    .bind("idempotency.store", StoreType.class)
                    .orElse(null);
            String hint = chosen == null
                    ? "add the Caffeine library, or define an IdempotencyStore bean"
                    : switch (chosen) {
                        case REDIS -> "it needs spring-boot-starter-data-redis (a RedisConnectionFactory bean)";
                        case JDBC -> "it needs spring-boot-starter-jdbc (a DataSource bean)";
                        case CAFFEINE -> "it needs com.github.ben-manes.caffeine:caffeine on the classpath";
                    };
            throw new IdempotencyConfigurationException("No idempotency store could be created"
                    + (chosen == null
                            ? ""
                            : " for idempotency.store=" + chosen.name().toLowerCase(java.util.Locale.ROOT))
                    + ": " + hint);
        }
    }
}
