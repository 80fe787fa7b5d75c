package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the exceptions of {@code @Idempotent} methods called from Spring MVC handlers with RFC 9457
 * problem details ({@code application/problem+json}, the same {@code type}, {@code title} and fields as
 * the {@link IdempotencyKeyFilter}'s own answers), so that an application needs no mapping of its own:
 * <ul>
 * <li>{@link IdempotencyInFlightException}: {@code 409 Conflict} with {@code Retry-After}, the seconds
 *     until the running call's lease ends (at least 1);</li>
 * <li>{@link IdempotencyKeyReuseException}: {@code 422 Unprocessable Content};</li>
 * <li>{@link InvalidIdempotencyKeyException}: {@code 400 Bad Request};</li>
 * <li>{@link IdempotencyStoreUnavailableException}: {@code 503 Service Unavailable}.</li>
 * </ul>
 * The {@code detail} never holds internals (a key, an expression, a class, SQL, a host): the exception's
 * message goes to the log instead, with the key replaced by the start of its SHA-256. Every answer marks
 * the request with {@link IdempotencyKeyFilter#HANDLED_EXCEPTION_ATTRIBUTE}, so the filter never stores it.
 * <p>
 * Its order, {@link #DEFAULT_ORDER}, comes after Spring MVC's own resolvers (which run the application's
 * {@code @ExceptionHandler} methods, in controllers and {@code @ControllerAdvice}s): an application that
 * handles one of these exceptions itself keeps its own answer.
 */
public class IdempotencyProblemDetailsResolver implements HandlerExceptionResolver, Ordered {

    /** After every resolver Spring MVC registers (order 0), just before the lowest precedence. */
    public static final int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    private static final Log logger = LogFactory.getLog(IdempotencyProblemDetailsResolver.class);

    private final ServletProblemResponses bodies =
            new ServletProblemResponses(JsonMapper.builder().build());

    private final IdempotencyExceptionProblems problems;

    private int order = DEFAULT_ORDER;

    /** With the system clock, for {@code Retry-After}. */
    public IdempotencyProblemDetailsResolver() {
        this(Clock.systemUTC());
    }

    /** @param clock tells the time until a lease ends, for {@code Retry-After} */
    public IdempotencyProblemDetailsResolver(Clock clock) {
        this.problems = new IdempotencyExceptionProblems(clock);
    }

    @Override
    public int getOrder() {
        return order;
    }

    /** The resolver's order among the {@code HandlerExceptionResolver}s (default {@link #DEFAULT_ORDER}). */
    public void setOrder(int order) {
        this.order = order;
    }

    @Override
    public @Nullable ModelAndView resolveException(
            HttpServletRequest request, HttpServletResponse response, @Nullable Object handler, Exception ex) {
        if (!(ex instanceof IdempotencyException idempotency) || response.isCommitted()) {
            return null;
        }
        String where = request.getMethod() + " " + request.getRequestURI();
        IdempotencyExceptionProblems.Problem problem = problems.of(ex, where);
        if (problem == null) {
            return null;
        }
        if (problem.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Long.toString(problem.retryAfterSeconds()));
        }
        request.setAttribute(IdempotencyKeyFilter.HANDLED_EXCEPTION_ATTRIBUTE, idempotency);
        try {
            bodies.send(request, response, problem.status(), problem.detail());
        } catch (IOException e) {
            logger.debug("Could not write the " + problem.status() + " problem detail for " + where, e);
        }
        return new ModelAndView();
    }
}
