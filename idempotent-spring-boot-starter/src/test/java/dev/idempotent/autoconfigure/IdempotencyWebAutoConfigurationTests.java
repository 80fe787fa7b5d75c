package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.web.IdempotencyKeyFilter;
import dev.idempotent.web.IdempotencyKeyRequiredHandlers;
import dev.idempotent.web.IdempotencyKeyScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

class IdempotencyWebAutoConfigurationTests {

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(IdempotencyAutoConfiguration.class, IdempotencyWebAutoConfiguration.class));

    @Test
    void registersTheFilterAfterSpringSecurityInServletApplications() {
        web.run(context -> {
            assertThat(context)
                    .hasSingleBean(IdempotencyKeyScope.class)
                    .hasSingleBean(IdempotencyKeyRequiredHandlers.class);
            FilterRegistrationBean<?> registration = context.getBean(
                    IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME, FilterRegistrationBean.class);
            assertThat(registration.getFilter()).isInstanceOf(IdempotencyKeyFilter.class);
            assertThat(registration.getOrder()).isEqualTo(-90).isGreaterThan(-100);
            assertThat(context.getBean(IdempotencyKeyScope.class)).isSameAs(IdempotencyKeyScope.principal());
        });
    }

    @Test
    void bindsTheHttpProperties() {
        web.withPropertyValues(
                        "idempotency.http.header-name=X-Request-Key",
                        "idempotency.http.methods=POST,PUT",
                        "idempotency.http.required-paths=/payments/**",
                        "idempotency.http.ttl=2h",
                        "idempotency.http.lease=30s",
                        "idempotency.http.max-response-size=64KB",
                        "idempotency.http.store-server-errors=true",
                        "idempotency.http.retry-after=5s",
                        "idempotency.http.filter-order=10")
                .run(context -> {
                    IdempotencyHttpProperties properties = context.getBean(IdempotencyHttpProperties.class);
                    assertThat(properties.getHeaderName()).isEqualTo("X-Request-Key");
                    assertThat(properties.getMethods()).containsExactly("POST", "PUT");
                    assertThat(properties.getRequiredPaths()).containsExactly("/payments/**");
                    assertThat(properties.getTtl()).isEqualTo(Duration.ofHours(2));
                    assertThat(properties.getLease()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(properties.getMaxResponseSize()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(properties.isStoreServerErrors()).isTrue();
                    assertThat(properties.getRetryAfter()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(context.getBean(
                                            IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME,
                                            FilterRegistrationBean.class)
                                    .getOrder())
                            .isEqualTo(10);
                });
    }

    @Test
    void theLargestStoredResponseDefaultsToTheMaxPayloadSize() {
        web.run(context ->
                assertThat(filter(context).getPolicy().getMaxResponseSize()).isEqualTo(DataSize.ofMegabytes(1)));
        web.withPropertyValues("idempotency.max-payload-size=256KB")
                .run(context -> assertThat(filter(context).getPolicy().getMaxResponseSize())
                        .isEqualTo(DataSize.ofKilobytes(256)));
        web.withPropertyValues("idempotency.max-payload-size=256KB", "idempotency.http.max-response-size=64KB")
                .run(context -> assertThat(filter(context).getPolicy().getMaxResponseSize())
                        .isEqualTo(DataSize.ofKilobytes(64)));
    }

    private static IdempotencyKeyFilter filter(org.springframework.context.ApplicationContext context) {
        return (IdempotencyKeyFilter) context.getBean(
                        IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME, FilterRegistrationBean.class)
                .getFilter();
    }

    @Test
    void defaultsMatchTheDocumentation() {
        IdempotencyHttpProperties properties = new IdempotencyHttpProperties();
        assertThat(properties.isEnabled()).isTrue();
        assertThat(properties.getHeaderName()).isEqualTo("Idempotency-Key");
        assertThat(properties.getMethods()).containsExactly("POST", "PATCH");
        assertThat(properties.getRequiredPaths()).isEmpty();
        assertThat(properties.getTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.getLease()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties.getMaxResponseSize())
                .as("idempotency.max-payload-size")
                .isNull();
        assertThat(properties.isStoreServerErrors()).isFalse();
        assertThat(properties.getRetryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.getFilterOrder()).isEqualTo(-90);
    }

    @Test
    void anApplicationScopeReplacesThePrincipalScope() {
        web.withUserConfiguration(TenantScope.class)
                .run(context -> assertThat(context.getBean(IdempotencyKeyScope.class))
                        .isSameAs(context.getBean("tenantScope")));
    }

    @Test
    void offWithIdempotencyHttpEnabledFalse() {
        web.withPropertyValues("idempotency.http.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME)
                        .doesNotHaveBean(IdempotencyKeyScope.class));
    }

    @Test
    void offWithIdempotencyEnabledFalse() {
        web.withPropertyValues("idempotency.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME));
    }

    @Test
    void offOutsideServletWebApplications() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        IdempotencyAutoConfiguration.class, IdempotencyWebAutoConfiguration.class))
                .run(context -> assertThat(context)
                        .doesNotHaveBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME));
    }

    @Test
    void withoutSpringMvcTheFilterStillWorksWithRequiredPathsOnly() {
        web.withClassLoader(new FilteredClassLoader(RequestMappingHandlerMapping.class))
                .run(context -> assertThat(context)
                        .hasBean(IdempotencyWebAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME)
                        .doesNotHaveBean(IdempotencyKeyRequiredHandlers.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class TenantScope {

        @Bean
        IdempotencyKeyScope tenantScope() {
            return IdempotencyKeyScope.header("X-Tenant-Id");
        }
    }
}
