package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Which store the starter picks, and what it says when it cannot make the one asked for. */
class StoreSelectionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withPropertyValues(
                    "spring.data.redis.host=" + TestServers.redisHost(),
                    "spring.data.redis.port=" + TestServers.redisPort())
            .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class));

    @Test
    void withNothingElseTheEmbeddedStoreIsUsed() {
        runner.run(context ->
                assertThat(context).getBean(IdempotencyStore.class).isInstanceOf(CaffeineIdempotencyStore.class));
    }

    @Test
    void aRedisConnectionFactoryMakesRedisTheStore() {
        runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                .withPropertyValues("idempotency.redis.key-prefix=app1:")
                .run(context -> {
                    assertThat(context).getBean(IdempotencyStore.class).isInstanceOf(RedisIdempotencyStore.class);
                    assertThat(context.getBean(RedisIdempotencyStore.class).getKeyPrefix())
                            .isEqualTo("app1:");
                });
    }

    @Test
    void aDataSourceMakesJdbcTheStoreAndAnEmbeddedDatabaseGetsItsTable() {
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:selection;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.table-name=selected_records")
                .run(context -> {
                    assertThat(context).getBean(IdempotencyStore.class).isInstanceOf(JdbcIdempotencyStore.class);
                    JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
                    assertThat(store.getTableName()).isEqualTo("selected_records");
                    assertThat(store.claim("k", "fp", "owner", java.time.Duration.ofMinutes(1))
                                    .isAcquired())
                            .isTrue();
                    assertThat(context).hasSingleBean(JdbcExpiredRecordCleanup.class);
                });
    }

    @Test
    void redisWinsOverJdbcWhenBothExist() {
        runner.withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:both;DB_CLOSE_DELAY=-1")
                .run(context ->
                        assertThat(context).getBean(IdempotencyStore.class).isInstanceOf(RedisIdempotencyStore.class));
        runner.withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:both2;DB_CLOSE_DELAY=-1", "idempotency.store=jdbc")
                .run(context ->
                        assertThat(context).getBean(IdempotencyStore.class).isInstanceOf(JdbcIdempotencyStore.class));
    }

    @Test
    void aBadTableNameFailsStartup() {
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:bad;DB_CLOSE_DELAY=-1",
                        "idempotency.jdbc.table-name=records; drop table users")
                .run(context ->
                        assertThat(context).getFailure().rootCause().hasMessageContaining("records; drop table users"));
    }

    @Test
    void thePropertyOverridesTheAutomaticChoice() {
        runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                .withPropertyValues("idempotency.store=caffeine")
                .run(context -> assertThat(context)
                        .getBean(IdempotencyStore.class)
                        .isInstanceOf(CaffeineIdempotencyStore.class));
    }

    @Test
    void askingForRedisWithoutRedisFailsStartupSayingWhatIsMissing() {
        runner.withPropertyValues("idempotency.store=redis").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof IdempotencyConfigurationException)) {
                failure = failure.getCause();
            }
            assertThat(failure)
                    .isNotNull()
                    .hasMessageContaining("idempotency.store=redis")
                    .hasMessageContaining("spring-boot-starter-data-redis");
        });
    }

    @Test
    void withoutSpringDataRedisOnTheClasspathRedisIsNotConsidered() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .run(context -> assertThat(context)
                        .getBean(IdempotencyStore.class)
                        .isInstanceOf(CaffeineIdempotencyStore.class));
    }
}
