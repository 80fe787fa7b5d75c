package dev.idempotent.autoconfigure;

import dev.idempotent.web.IdempotencyProblemDetailsResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Answers the exceptions of {@code @Idempotent} methods that reach Spring MVC (in flight, key reuse,
 * invalid key, store unavailable) with RFC 9457 problem details, after the application's own
 * {@code @ExceptionHandler} methods: see {@link IdempotencyProblemDetailsResolver}. Off with
 * {@code idempotency.http.problem-details.enabled=false}; independent of the {@code Idempotency-Key}
 * filter ({@code idempotency.http.enabled}).
 */
@AutoConfiguration(
        after = IdempotencyAutoConfiguration.class,
        afterName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({HandlerExceptionResolver.class, IdempotencyProblemDetailsResolver.class})
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "idempotency.http.problem-details.enabled", matchIfMissing = true)
public class IdempotencyProblemDetailsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public IdempotencyProblemDetailsResolver idempotencyProblemDetailsResolver() {
        return new IdempotencyProblemDetailsResolver();
    }
}
