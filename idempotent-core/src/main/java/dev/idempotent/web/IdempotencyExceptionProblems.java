package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The answer to an exception of an {@code @Idempotent} method that reaches the web layer, the same for Spring
 * MVC ({@link IdempotencyProblemDetailsResolver}) and WebFlux ({@link IdempotencyProblemDetailsWebExceptionHandler}):
 * in flight 409 with {@code Retry-After} (the seconds until the running call's lease ends, at least 1), key
 * reuse 422, invalid key 400, store unavailable 503. The detail never holds internals; the message goes to the
 * log, the key as the start of its SHA-256.
 */
final class IdempotencyExceptionProblems {

    private static final Log logger = LogFactory.getLog(IdempotencyExceptionProblems.class);

    /**
     * @param retryAfterSeconds the {@code Retry-After} to send, or 0 for none
     */
    record Problem(int status, String detail, long retryAfterSeconds) {}

    private final Clock clock;

    IdempotencyExceptionProblems(Clock clock) {
        this.clock = clock;
    }

    /** The problem for {@code ex} thrown while handling {@code where}, or {@code null} if it is not one of ours. */
    @Nullable
    Problem of(Throwable ex, String where) {
        if (!(ex instanceof IdempotencyException)) {
            return null;
        }
        if (ex instanceof IdempotencyInFlightException inFlight) {
            logger.debug(
                    where + " answered 409: key " + IdempotencyKeyPolicy.hashed(inFlight.getKey()) + " is in flight");
            return new Problem(
                    409,
                    "Another call with the same idempotency key is still running; retry after it has"
                            + " completed to receive its result",
                    retryAfterSeconds(inFlight.getLeaseExpiresAt()));
        }
        if (ex instanceof IdempotencyKeyReuseException reuse) {
            logger.debug(where + " answered 422: key " + IdempotencyKeyPolicy.hashed(reuse.getKey())
                    + " was used with other arguments");
            return new Problem(
                    422,
                    "The idempotency key was already used for a different request; use a new key for"
                            + " a new request",
                    0);
        }
        if (ex instanceof InvalidIdempotencyKeyException) {
            logger.warn(where + " answered 400: " + ex.getMessage());
            return new Problem(
                    400,
                    "The request does not carry a usable idempotency key (missing, blank or invalid);"
                            + " nothing was done",
                    0);
        }
        if (ex instanceof IdempotencyStoreUnavailableException) {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            logger.warn(
                    where + " answered 503: the idempotency store is unavailable ("
                            + cause.getClass().getName() + ")",
                    cause);
            return new Problem(
                    503,
                    "The request was not processed because the idempotency store is unavailable;" + " retry later",
                    0);
        }
        return null;
    }

    private long retryAfterSeconds(@Nullable Instant leaseExpiresAt) {
        if (leaseExpiresAt == null) {
            return 1;
        }
        Duration left = Duration.between(clock.instant(), leaseExpiresAt);
        long seconds = left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
