package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import java.time.Clock;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the exceptions of {@code @Idempotent} methods that reach WebFlux (in flight 409 with
 * {@code Retry-After}, key reuse 422, invalid key 400, store unavailable 503) with RFC 9457 problem details,
 * exactly as {@link IdempotencyProblemDetailsResolver} does for Spring MVC, and marks the exchange with
 * {@link IdempotencyKeyWebFilter#HANDLED_EXCEPTION_ATTRIBUTE}. The application's own {@code @ExceptionHandler}
 * methods run first (WebFlux applies them before any {@code WebExceptionHandler}); its order,
 * {@link #DEFAULT_ORDER}, comes before Spring Boot's error handler (-1), which would answer 500.
 */
public class IdempotencyProblemDetailsWebExceptionHandler implements WebExceptionHandler, Ordered {

    /** Before Spring Boot's {@code ErrorWebExceptionHandler} (order -1). */
    public static final int DEFAULT_ORDER = -2;

    private final ReactiveProblemResponses bodies =
            new ReactiveProblemResponses(JsonMapper.builder().build());

    private final IdempotencyExceptionProblems problems;

    private int order = DEFAULT_ORDER;

    /** With the system clock, for {@code Retry-After}. */
    public IdempotencyProblemDetailsWebExceptionHandler() {
        this(Clock.systemUTC());
    }

    /** @param clock tells the time until a lease ends, for {@code Retry-After} */
    public IdempotencyProblemDetailsWebExceptionHandler(Clock clock) {
        this.problems = new IdempotencyExceptionProblems(clock);
    }

    @Override
    public int getOrder() {
        return order;
    }

    /** The handler's order among the {@code WebExceptionHandler}s (default {@link #DEFAULT_ORDER}). */
    public void setOrder(int order) {
        this.order = order;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        String path = exchange.getRequest().getURI().getRawPath();
        IdempotencyExceptionProblems.Problem problem = response.isCommitted()
                ? null
                : problems.of(ex, exchange.getRequest().getMethod().name() + " " + path);
        if (problem == null) {
            return Mono.error(ex);
        }
        exchange.getAttributes().put(IdempotencyKeyWebFilter.HANDLED_EXCEPTION_ATTRIBUTE, (IdempotencyException) ex);
        return bodies.send(
                exchange,
                problem.status(),
                problem.detail(),
                problem.retryAfterSeconds() > 0 ? Long.toString(problem.retryAfterSeconds()) : null);
    }
}
