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
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

    private final ProblemResponses problems = new ProblemResponses(JsonMapper.builder().build());

    private final Clock clock;

    private int order = DEFAULT_ORDER;

    /** With the system clock, for {@code Retry-After}. */
    public IdempotencyProblemDetailsResolver() {
        this(Clock.systemUTC());
    }

    /** @param clock tells the time until a lease ends, for {@code Retry-After} */
    public IdempotencyProblemDetailsResolver(Clock clock) {
        this.clock = clock;
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
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (!(ex instanceof IdempotencyException idempotency) || response.isCommitted()) {
            return null;
        }
        String where = request.getMethod() + " " + request.getRequestURI();
        int status;
        String detail;
        if (ex instanceof IdempotencyInFlightException inFlight) {
            status = HttpServletResponse.SC_CONFLICT;
            long seconds = retryAfterSeconds(inFlight.getLeaseExpiresAt());
            response.setHeader("Retry-After", Long.toString(seconds));
            detail = "Another call with the same idempotency key is still running; retry after it has completed"
                    + " to receive its result";
            logger.debug(where + " answered 409: key " + hashed(inFlight.getKey()) + " is in flight");
        } else if (ex instanceof IdempotencyKeyReuseException reuse) {
            status = 422;
            detail = "The idempotency key was already used for a different request; use a new key for a new"
                    + " request";
            logger.debug(where + " answered 422: key " + hashed(reuse.getKey()) + " was used with other arguments");
        } else if (ex instanceof InvalidIdempotencyKeyException) {
            status = HttpServletResponse.SC_BAD_REQUEST;
            detail = "The request does not carry a usable idempotency key (missing, blank or invalid); nothing"
                    + " was done";
            logger.warn(where + " answered 400: " + ex.getMessage());
        } else if (ex instanceof IdempotencyStoreUnavailableException) {
            status = HttpServletResponse.SC_SERVICE_UNAVAILABLE;
            detail = "The request was not processed because the idempotency store is unavailable; retry later";
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            logger.warn(where + " answered 503: the idempotency store is unavailable (" + cause.getClass().getName()
                    + ")", cause);
        } else {
            return null;
        }
        request.setAttribute(IdempotencyKeyFilter.HANDLED_EXCEPTION_ATTRIBUTE, idempotency);
        try {
            problems.send(request, response, status, detail);
        } catch (IOException e) {
            logger.debug("Could not write the " + status + " problem detail for " + where, e);
        }
        return new ModelAndView();
    }

    private long retryAfterSeconds(Instant leaseExpiresAt) {
        if (leaseExpiresAt == null) {
            return 1;
        }
        Duration left = Duration.between(clock.instant(), leaseExpiresAt);
        long seconds = left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private static String hashed(String key) {
        return IdempotencyKeyFilter.hashed(key);
    }
}
