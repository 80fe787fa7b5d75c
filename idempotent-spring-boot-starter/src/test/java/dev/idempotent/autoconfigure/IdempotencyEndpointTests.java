package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyOptions;
import dev.idempotent.IdempotencyTemplate;
import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class IdempotencyEndpointTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    IdempotencyAutoConfiguration.class,
                    IdempotencyEndpointAutoConfiguration.class,
                    EndpointAutoConfiguration.class));

    @Test
    void theEndpointExistsOnlyWhenExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(IdempotencyEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=idempotency")
                .run(context -> assertThat(context).hasSingleBean(IdempotencyEndpoint.class));
    }

    @Test
    void readsAndDeletesOneKeyWithoutShowingThePayload() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=idempotency")
                .run(context -> {
                    IdempotencyEndpoint endpoint = context.getBean(IdempotencyEndpoint.class);
                    IdempotencyTemplate template = context.getBean(IdempotencyTemplate.class);
                    template.execute("42", IdempotencyOptions.named("orders"), String.class, () -> "secret receipt");
                    context.getBean(IdempotencyStore.class).claim("jobs:a/b", "fp", "owner", Duration.ofMinutes(1));

                    Map<String, Object> done = endpoint.record(new String[] {"orders:42"}, null);
                    assertThat(done)
                            .containsEntry("status", "COMPLETED")
                            .containsKey("expiresAt")
                            .containsKey("payloadBytes")
                            .doesNotContainKey("payload");
                    Map<String, Object> running = endpoint.record(new String[] {"jobs:a", "b"}, null);
                    assertThat(running).containsEntry("status", "IN_PROGRESS").containsKey("leaseExpiresAt");

                    assertThat(endpoint.delete(new String[] {"orders:42"}, null))
                            .containsEntry("deleted", true);
                    assertThat(endpoint.record(new String[] {"orders:42"}, null))
                            .isNull();
                });
    }

    @Test
    void showsThePayloadOnlyWhenEnabled() {
        runner.withPropertyValues(
                        "management.endpoints.web.exposure.include=idempotency",
                        "idempotency.endpoint.show-payload=true")
                .run(context -> {
                    context.getBean(IdempotencyTemplate.class)
                            .execute("7", IdempotencyOptions.named("orders"), String.class, () -> "receipt 7");
                    assertThat(context.getBean(IdempotencyEndpoint.class).record(new String[] {"orders:7"}, null))
                            .hasEntrySatisfying(
                                    "payload", p -> assertThat((String) p).contains("receipt 7"));
                });
    }
}
