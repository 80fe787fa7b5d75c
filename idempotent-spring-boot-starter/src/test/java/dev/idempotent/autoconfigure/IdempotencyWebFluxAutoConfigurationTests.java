package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.store.redis.ReactiveRedisIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import dev.idempotent.web.IdempotencyKeyWebFilter;
import dev.idempotent.web.IdempotencyProblemDetailsResolver;
import dev.idempotent.web.IdempotencyProblemDetailsWebExceptionHandler;
import dev.idempotent.web.ReactiveIdempotencyKeyScope;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/** The WebFlux filter and problem details where they belong, and nowhere else; the starter without Reactor. */
class IdempotencyWebFluxAutoConfigurationTests {

    private static final AutoConfigurations ALL = AutoConfigurations.of(
            IdempotencyAutoConfiguration.class,
            IdempotencyWebAutoConfiguration.class,
            IdempotencyProblemDetailsAutoConfiguration.class,
            IdempotencyWebFluxAutoConfiguration.class);

    private final ReactiveWebApplicationContextRunner reactive =
            new ReactiveWebApplicationContextRunner().withConfiguration(ALL);

    @Test
    void aReactiveApplicationGetsTheWebFilterAfterSpringSecurityAndProblemDetails() {
        reactive.run(context -> {
            assertThat(context)
                    .hasSingleBean(IdempotencyKeyWebFilter.class)
                    .hasSingleBean(IdempotencyProblemDetailsWebExceptionHandler.class)
                    .hasSingleBean(ReactiveIdempotencyKeyScope.class)
                    .hasSingleBean(dev.idempotent.web.ReactiveIdempotencyKeyRequiredHandlers.class)
                    .doesNotHaveBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME)
                    .doesNotHaveBean(IdempotencyProblemDetailsResolver.class);
            assertThat(context.getBean(IdempotencyKeyWebFilter.class).getOrder())
                    .isEqualTo(-90);
            assertThat(context.getBean(ReactiveIdempotencyKeyScope.class))
                    .isSameAs(ReactiveIdempotencyKeyScope.principal());
        });
    }

    @Test
    void theWebFilterTakesTheSameHttpProperties() {
        reactive.withPropertyValues(
                        "idempotency.http.header-name=X-Request-Key",
                        "idempotency.http.filter-order=10",
                        "idempotency.max-payload-size=256KB")
                .run(context -> {
                    IdempotencyKeyWebFilter filter = context.getBean(IdempotencyKeyWebFilter.class);
                    assertThat(filter.getPolicy().getHeaderName()).isEqualTo("X-Request-Key");
                    assertThat(filter.getOrder()).isEqualTo(10);
                    assertThat(filter.getPolicy().getMaxResponseSize().toKilobytes())
                            .isEqualTo(256);
                });
    }

    @Test
    void eachIsOffWithItsProperty() {
        reactive.withPropertyValues("idempotency.http.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyKeyWebFilter.class)
                        .hasSingleBean(IdempotencyProblemDetailsWebExceptionHandler.class));
        reactive.withPropertyValues("idempotency.http.problem-details.enabled=false")
                .run(context -> assertThat(context)
                        .hasSingleBean(IdempotencyKeyWebFilter.class)
                        .doesNotHaveBean(IdempotencyProblemDetailsWebExceptionHandler.class));
        reactive.withPropertyValues("idempotency.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyKeyWebFilter.class)
                        .doesNotHaveBean(IdempotencyProblemDetailsWebExceptionHandler.class));
    }

    @Test
    void servletAndNonWebApplicationsGetNothingReactive() {
        new WebApplicationContextRunner()
                .withConfiguration(ALL)
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyKeyWebFilter.class)
                        .doesNotHaveBean(IdempotencyProblemDetailsWebExceptionHandler.class)
                        .hasBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME));
        new ApplicationContextRunner()
                .withConfiguration(ALL)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(IdempotencyEngine.class)
                        .doesNotHaveBean(IdempotencyKeyWebFilter.class)
                        .doesNotHaveBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME));
    }

    @Test
    void withoutReactorOrWebFluxTheStarterStillWorks() {
        new ApplicationContextRunner()
                .withConfiguration(ALL)
                .withClassLoader(new FilteredClassLoader(Mono.class))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(IdempotencyEngine.class)
                        .doesNotHaveBean(ReactiveIdempotencyStore.class));
        reactive.withClassLoader(new FilteredClassLoader(WebFilter.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(IdempotencyKeyWebFilter.class));
    }

    @Test
    void theRedisStoreComesWithItsReactiveTwinOnTheSameKeyPrefix() {
        new ApplicationContextRunner()
                .withConfiguration(ALL)
                .withUserConfiguration(Redis.class)
                .withPropertyValues("idempotency.store=redis", "idempotency.redis.key-prefix=app:")
                .run(context -> {
                    assertThat(context)
                            .hasSingleBean(RedisIdempotencyStore.class)
                            .hasSingleBean(ReactiveRedisIdempotencyStore.class);
                    assertThat(context.getBean(ReactiveRedisIdempotencyStore.class)
                                    .getKeyPrefix())
                            .isEqualTo("app:");
                });
        new ApplicationContextRunner()
                .withConfiguration(ALL)
                .withUserConfiguration(Redis.class)
                .withClassLoader(new FilteredClassLoader(Mono.class))
                .withPropertyValues("idempotency.store=redis")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(RedisIdempotencyStore.class)
                        .doesNotHaveBean(ReactiveRedisIdempotencyStore.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Redis {

        @Bean
        LettuceConnectionFactory redisConnectionFactory() {
            return new LettuceConnectionFactory(TestServers.redisHost(), Integer.parseInt(TestServers.redisPort()));
        }
    }
}
