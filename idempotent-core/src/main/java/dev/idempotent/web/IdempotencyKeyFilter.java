package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.web.IdempotencyKeyAnswers.Outcome;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes POST and PATCH requests that carry an {@code Idempotency-Key} header safe to retry, as Stripe's
 * API and the IETF draft (draft-ietf-httpapi-idempotency-key-header) describe:
 * <ul>
 * <li>The first request with a key claims it, runs, and its complete response (status, headers, body) is
 *     stored for {@link IdempotencyKeyPolicy#setTtl ttl} before it is sent.</li>
 * <li>A repeat with the same key and the same request (method, path and query, SHA-256 of the body) does
 *     not reach the application: it gets the stored status, headers and body byte for byte, plus
 *     {@code Idempotent-Replayed: true}.</li>
 * <li>A repeat while the first is still running gets {@code 409 Conflict} with {@code Retry-After}; the
 *     same key with another request gets {@code 422 Unprocessable Content}; an invalid key, or no key on
 *     an endpoint that requires one, gets {@code 400 Bad Request}; all as RFC 9457
 *     {@code application/problem+json}.</li>
 * <li>Only final answers are stored. 5xx responses (unless {@link IdempotencyKeyPolicy#setStoreServerErrors}), the transient
 *     statuses of {@link IdempotencyKeyPolicy#setUnstoredStatuses} (408, 409, 425 and 429 by default), responses produced
 *     while an {@link IdempotencyException} was handled (an inner {@code @Idempotent} method in flight, see
 *     {@link #HANDLED_EXCEPTION_ATTRIBUTE}), responses larger than {@link IdempotencyKeyPolicy#setMaxResponseSize}, responses
 *     rendered by the container's error page ({@code sendError}, uncaught exceptions) and asynchronous
 *     responses are sent but not stored: the key is released and a repeat runs again.</li>
 * <li>Keys are scoped ({@link IdempotencyKeyScope}, by default the authenticated principal), so the
 *     filter must run after authentication: {@link #DEFAULT_ORDER} comes after Spring Security's filter
 *     chain.</li>
 * </ul>
 * Every decision is taken by the {@link IdempotencyEngine}; store failures follow its policy (fail-closed:
 * {@code 503 Service Unavailable}; fail-open: the request runs unprotected).
 */
public class IdempotencyKeyFilter extends OncePerRequestFilter {

    /** The header of the IETF draft and of Stripe. */
    public static final String DEFAULT_HEADER_NAME = IdempotencyKeyPolicy.DEFAULT_HEADER_NAME;

    /** Set to {@code true} on every replayed response. */
    public static final String REPLAYED_HEADER = IdempotencyKeyPolicy.REPLAYED_HEADER;

    /**
     * Order of the filter: Spring Security's filter chain is registered at -100
     * ({@code SecurityProperties.DEFAULT_FILTER_ORDER}), and this filter runs right after it, so that the
     * principal is known and a request that is no longer authorized never receives a stored response.
     */
    public static final int DEFAULT_ORDER = -100 + 10;

    /**
     * Request attribute that marks a response as produced while an {@link IdempotencyException} was
     * handled (its value is the exception): such a response answers a transient state (a nested
     * {@code @Idempotent} method in flight, a store that is down), so the filter sends it but never stores
     * it. {@link IdempotencyProblemDetailsResolver} sets it; set it in your own handler of an
     * {@code IdempotencyException} if that handler answers with a status the filter would store. An
     * {@code IdempotencyException} handled by a Spring MVC {@code @ExceptionHandler} is recognised without
     * it, from {@code DispatcherServlet}'s exception attribute.
     */
    public static final String HANDLED_EXCEPTION_ATTRIBUTE = IdempotencyKeyPolicy.HANDLED_EXCEPTION_ATTRIBUTE;

    /** Spring MVC's {@code DispatcherServlet.EXCEPTION_ATTRIBUTE}: the exception an {@code @ExceptionHandler} handled. */
    private static final String DISPATCHER_EXCEPTION_ATTRIBUTE =
            "org.springframework.web.servlet.DispatcherServlet.EXCEPTION";

    /** Statuses that say "not now" rather than give an answer: never stored by default. */
    public static final Set<Integer> DEFAULT_UNSTORED_STATUSES = IdempotencyKeyPolicy.DEFAULT_UNSTORED_STATUSES;

    /** Namespace of the filter's store keys: {@code http:<sha256 of scope, or ->:<key>}. */
    public static final String KEY_NAMESPACE = IdempotencyKeyPolicy.KEY_NAMESPACE;

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final IdempotencyEngine engine;

    private final IdempotencyStore store;

    private final IdempotencyKeyPolicy policy;

    private final IdempotencyKeyAnswers answers;

    private final HttpResponseCodec codec = new HttpResponseCodec(MAPPER);

    private final ServletProblemResponses problems = new ServletProblemResponses(MAPPER);

    private @Nullable IdempotencyKeyRequiredHandlers requiredHandlers;

    private IdempotencyKeyScope scope = IdempotencyKeyScope.principal();

    /**
     * @param engine decides every request
     * @param store keeps the responses
     * @param policy the rules of the header (shared with the WebFlux filter)
     */
    public IdempotencyKeyFilter(IdempotencyEngine engine, IdempotencyStore store, IdempotencyKeyPolicy policy) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.answers = new IdempotencyKeyAnswers(policy);
    }

    /** The rules this filter applies. */
    public IdempotencyKeyPolicy getPolicy() {
        return policy;
    }

    /** Finds handler methods annotated with {@link IdempotencyKeyRequired}; {@code null} for none. */
    public void setRequiredHandlers(IdempotencyKeyRequiredHandlers requiredHandlers) {
        this.requiredHandlers = requiredHandlers;
    }

    /** Whose keys a request's key belongs to (default: the authenticated principal). */
    public void setScope(IdempotencyKeyScope scope) {
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !policy.appliesTo(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String where = request.getMethod() + " " + request.getRequestURI();
        String key;
        try {
            key = policy.key(Collections.list(request.getHeaders(policy.getHeaderName())));
        } catch (InvalidIdempotencyKeyException e) {
            answer(request, response, answers.invalidKey(e), null);
            return;
        }
        if (key == null) {
            if (isKeyRequired(request)) {
                answer(request, response, answers.missingKey(request.getMethod(), request.getRequestURI()), null);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        RequestBodies.Prepared prepared;
        try {
            prepared = RequestBodies.prepare(request, policy.getMaxRequestSize());
        } catch (RequestBodies.TooLarge tooLarge) {
            answer(request, response, answers.tooLarge(), key);
            return;
        }
        IdempotencyRequest idempotencyRequest = policy.request(
                store,
                scope.scopeOf(request),
                key,
                request.getMethod(),
                request.getRequestURI(),
                request.getQueryString(),
                prepared.bodyHash(),
                codec);
        Map<String, List<String>> before = CapturingResponseWrapper.snapshotHeaders(response);
        CapturingResponseWrapper capturing = new CapturingResponseWrapper(response, policy.maxResponseBytes());
        dev.idempotent.IdempotentResult<Object> result;
        try {
            result = engine.execute(idempotencyRequest, () -> proceed(prepared.request(), capturing, chain, before));
        } catch (ResponseNotStored notStored) {
            answers.decided(Outcome.NOT_STORED, where, key, notStored.getMessage());
            capturing.deliver();
            return;
        } catch (DownstreamFailure failure) {
            answers.decided(Outcome.NOT_STORED, where, key, "the application threw " + failure.getMessage());
            throw failure.rethrowable();
        } catch (IdempotencyException e) {
            answer(request, response, answers.failed(e, key, where), key);
            return;
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new ServletException(e);
        }
        switch (result.outcome()) {
            case REPLAYED -> {
                answers.decided(Outcome.REPLAYED, where, key, null);
                replay(response, CapturedResponse.replayed(result));
            }
            case UNPROTECTED -> {
                answers.decided(Outcome.UNPROTECTED, where, key, null);
                capturing.deliver();
            }
            default -> {
                answers.decided(Outcome.EXECUTED, where, key, null);
                capturing.deliver();
            }
        }
    }

    private void answer(
            HttpServletRequest request,
            HttpServletResponse response,
            IdempotencyKeyAnswers.Answer answer,
            @Nullable String key)
            throws IOException {
        answers.decided(answer.outcome(), request.getMethod() + " " + request.getRequestURI(), key, answer.detail());
        if (answer.retryAfter()) {
            response.setHeader("Retry-After", policy.retryAfterSeconds());
        }
        problems.send(request, response, answer.status(), answer.detail());
    }

    private boolean isKeyRequired(HttpServletRequest request) {
        return policy.isRequiredPath(request.getRequestURI()
                        .substring(request.getContextPath().length()))
                || (requiredHandlers != null && requiredHandlers.isKeyRequired(request));
    }

    /** Runs the application and returns its response for storing, or throws {@link ResponseNotStored}. */
    private CapturedResponse proceed(
            HttpServletRequest request,
            CapturingResponseWrapper response,
            FilterChain chain,
            Map<String, List<String>> before)
            throws IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw new DownstreamFailure(e);
        }
        response.flushWriter();
        if (request.isAsyncStarted()) {
            response.switchToPassThrough();
            throw new ResponseNotStored("the response is produced asynchronously");
        }
        if (response.isOverflowed()) {
            throw new ResponseNotStored(policy.responseTooLarge());
        }
        if (response.isErrorSent()) {
            throw new ResponseNotStored("the application called sendError(" + response.status()
                    + "), so the container renders the response");
        }
        IdempotencyException handled = handledIdempotencyException(request);
        if (handled != null) {
            throw new ResponseNotStored("the response answers "
                    + handled.getClass().getSimpleName() + ", a transient state, not the request");
        }
        CapturedResponse captured = response.capture(before);
        String notStored = policy.whyNotStored(captured.status());
        if (notStored != null) {
            throw new ResponseNotStored(notStored);
        }
        return captured;
    }

    /** The {@link IdempotencyException} a handler turned into this response, or {@code null}. */
    private static @Nullable IdempotencyException handledIdempotencyException(HttpServletRequest request) {
        for (String attribute : List.of(HANDLED_EXCEPTION_ATTRIBUTE, DISPATCHER_EXCEPTION_ATTRIBUTE)) {
            Object value = request.getAttribute(attribute);
            for (Throwable t = value instanceof Throwable thrown ? thrown : null;
                    t != null;
                    t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof IdempotencyException idempotency) {
                    return idempotency;
                }
            }
        }
        return null;
    }

    /**
     * Sends a stored response. Headers are filtered again here, not only when captured: a record written
     * by another writer, an older version or a tampered store never replays a cookie or a credential.
     */
    private static void replay(HttpServletResponse response, CapturedResponse stored) throws IOException {
        response.setStatus(stored.status());
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (CapturedResponse.Header header : stored.headers()) {
            if (!IdempotencyKeyPolicy.isStorableHeader(header.name())) {
                continue;
            }
            if (set.add(header.name())) {
                response.setHeader(header.name(), header.value());
            } else {
                response.addHeader(header.name(), header.value());
            }
        }
        response.setHeader(REPLAYED_HEADER, "true");
        CapturingResponseWrapper.writeBody(response, stored.body());
    }

    /** The application threw; carried through the engine (which releases the key) and rethrown as it was. */
    private static final class DownstreamFailure extends RuntimeException {

        private final Throwable failure;

        DownstreamFailure(Throwable failure) {
            super(failure.toString(), failure, false, false);
            this.failure = failure;
        }

        /** Throws the application's exception; declared to return one so that callers can write {@code throw}. */
        RuntimeException rethrowable() throws IOException, ServletException {
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof ServletException servlet) {
                throw servlet;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) failure;
        }
    }
}
