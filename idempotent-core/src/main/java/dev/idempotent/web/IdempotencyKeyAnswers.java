package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code Idempotency-Key} filters answer when they answer themselves (a bad or missing key, a body
 * too large, a key in flight or reused, a store that is down, a stored response that cannot be read), the
 * same for the servlet and the WebFlux filter, and the one log line of every decision.
 */
final class IdempotencyKeyAnswers {

    private static final Log logger = LogFactory.getLog(IdempotencyKeyAnswers.class);

    /** What a filter did with a request. */
    enum Outcome {
        /** The key was claimed, the request ran and its response was stored. */
        EXECUTED,
        /** The stored response was replayed; the application was not called. */
        REPLAYED,
        /** The key is held by a request still running: 409. */
        CONFLICT,
        /** The key was first used for a different request: 422. */
        MISMATCH,
        /** The key was invalid, or missing where required: 400 (413 for a body too large). */
        REJECTED,
        /** The request ran, its response was sent but not stored, and the key was released. */
        NOT_STORED,
        /** The store failed and the policy is fail-open: the request ran without protection. */
        UNPROTECTED,
        /** The store failed and the policy is fail-closed: 503. */
        STORE_UNAVAILABLE,
        /** The stored response could not be read: 500. */
        UNREADABLE
    }

    /**
     * A filter's own answer: sent as RFC 9457 problem details.
     *
     * @param retryAfter whether to send {@code Retry-After}
     */
    record Answer(Outcome outcome, int status, String detail, boolean retryAfter) {}

    private final IdempotencyKeyPolicy policy;

    IdempotencyKeyAnswers(IdempotencyKeyPolicy policy) {
        this.policy = policy;
    }

    Answer invalidKey(InvalidIdempotencyKeyException e) {
        return new Answer(
                Outcome.REJECTED,
                400,
                Objects.requireNonNullElse(e.getMessage(), "The Idempotency-Key header is not a valid key"),
                false);
    }

    Answer missingKey(String method, String path) {
        return new Answer(Outcome.REJECTED, 400, policy.missingKeyDetail(method, path), false);
    }

    Answer tooLarge() {
        return new Answer(Outcome.REJECTED, 413, policy.tooLargeDetail(), false);
    }

    /** The answer to an {@link IdempotencyException} of the engine for the request {@code where} with {@code key}. */
    Answer failed(IdempotencyException e, String key, String where) {
        String header = policy.getHeaderName();
        if (e instanceof IdempotencyInFlightException) {
            return new Answer(
                    Outcome.CONFLICT,
                    409,
                    "A request with " + header + " '" + key + "' is still being"
                            + " processed; retry after it has completed to receive its response",
                    true);
        }
        if (e instanceof IdempotencyKeyReuseException) {
            return new Answer(
                    Outcome.MISMATCH,
                    422,
                    header + " '" + key + "' was already used for a different"
                            + " request (another method, path, query or body); use a new key for a new request",
                    false);
        }
        if (e instanceof IdempotencyStoreUnavailableException) {
            logger.warn(
                    "Idempotency store unavailable for " + where + " (" + header + " "
                            + IdempotencyKeyPolicy.hashed(key) + "); answered 503 (on-store-failure=fail-closed)",
                    e.getCause() != null ? e.getCause() : e);
            return new Answer(
                    Outcome.STORE_UNAVAILABLE,
                    503,
                    "The request was not processed because the idempotency"
                            + " store is unavailable; retry later with the same " + header,
                    false);
        }
        logger.error(
                "Cannot replay the stored response of " + where + " for " + header + " "
                        + IdempotencyKeyPolicy.hashed(key) + ": " + e.getMessage(),
                e.getCause());
        return new Answer(
                Outcome.UNREADABLE,
                500,
                "The request with " + header + " '" + key + "' could not be"
                        + " handled by the idempotency layer (see the server log); nothing was replayed",
                false);
    }

    /**
     * Every decision passes through here, once per request that carried a key or needed one. This is the
     * place to count them (a metrics counter tagged with the outcome and the method).
     */
    void decided(Outcome outcome, String where, @Nullable String key, @Nullable String detail) {
        if (logger.isDebugEnabled()) {
            logger.debug(
                    "Idempotency-Key " + outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + where
                            + (key == null ? "" : " key '" + key + "'") + (detail == null ? "" : " (" + detail + ")"));
        }
    }
}
