package dev.idempotent.web;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.OnInFlight;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.IdempotencyEngine;
import dev.idempotent.support.IdempotencyRequest;
import dev.idempotent.support.Keys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.server.PathContainer;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes POST and PATCH requests that carry an {@code Idempotency-Key} header safe to retry, as Stripe's
 * API and the IETF draft (draft-ietf-httpapi-idempotency-key-header) describe:
 * <ul>
 * <li>The first request with a key claims it, runs, and its complete response (status, headers, body) is
 *     stored for {@link #setTtl ttl} before it is sent.</li>
 * <li>A repeat with the same key and the same request (method, path and query, SHA-256 of the body) does
 *     not reach the application: it gets the stored status, headers and body byte for byte, plus
 *     {@code Idempotent-Replayed: true}.</li>
 * <li>A repeat while the first is still running gets {@code 409 Conflict} with {@code Retry-After}; the
 *     same key with another request gets {@code 422 Unprocessable Content}; an invalid key, or no key on
 *     an endpoint that requires one, gets {@code 400 Bad Request}; all as RFC 9457
 *     {@code application/problem+json}.</li>
 * <li>Only final answers are stored. 5xx responses (unless {@link #setStoreServerErrors}), the transient
 *     statuses of {@link #setUnstoredStatuses} (408, 409, 425 and 429 by default), responses produced
 *     while an {@link IdempotencyException} was handled (an inner {@code @Idempotent} method in flight, see
 *     {@link #HANDLED_EXCEPTION_ATTRIBUTE}), responses larger than {@link #setMaxResponseSize}, responses
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
    public static final String DEFAULT_HEADER_NAME = "Idempotency-Key";

    /** Set to {@code true} on every replayed response. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

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
    public static final String HANDLED_EXCEPTION_ATTRIBUTE = IdempotencyKeyFilter.class.getName() + ".HANDLED_EXCEPTION";

    /** Spring MVC's {@code DispatcherServlet.EXCEPTION_ATTRIBUTE}: the exception an {@code @ExceptionHandler} handled. */
    private static final String DISPATCHER_EXCEPTION_ATTRIBUTE = "org.springframework.web.servlet.DispatcherServlet.EXCEPTION";

    /** Statuses that say "not now" rather than give an answer: never stored by default. */
    public static final Set<Integer> DEFAULT_UNSTORED_STATUSES = Set.of(408, 409, 425, 429);

    /** Namespace of the filter's store keys: {@code http:<sha256 of scope, or ->:<key>}. */
    public static final String KEY_NAMESPACE = "http";

    private static final String ANONYMOUS_SCOPE = "-";

    /**
     * Never stored nor replayed: cookies and credentials belong to one exchange, hop-by-hop headers to one
     * connection, Date to one moment, Content-Length is recomputed.
     */
    private static final Set<String> UNSTORED_HEADERS = Set.of("set-cookie", "set-cookie2", "authorization",
            "www-authenticate", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "date",
            "content-length", REPLAYED_HEADER.toLowerCase(Locale.ROOT));

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final IdempotencyEngine engine;

    private final IdempotencyStore store;

    private final HttpResponseCodec codec = new HttpResponseCodec(MAPPER);

    private final ProblemResponses problems = new ProblemResponses(MAPPER);

    private String headerName = DEFAULT_HEADER_NAME;

    private Set<String> methods = Set.of("POST", "PATCH");

    private List<PathPattern> requiredPaths = List.of();

    private IdempotencyKeyRequiredHandlers requiredHandlers;

    private IdempotencyKeyScope scope = IdempotencyKeyScope.principal();

    private Duration ttl = Duration.ofHours(24);

    private Duration lease = Duration.ofMinutes(1);

    private long maxResponseSize = DataSize.ofMegabytes(1).toBytes();

    private long maxRequestSize = DataSize.ofMegabytes(10).toBytes();

    private boolean storeServerErrors;

    private Set<Integer> unstoredStatuses = DEFAULT_UNSTORED_STATUSES;

    private Duration retryAfter = Duration.ofSeconds(1);

    /**
     * @param engine decides every request
     * @param store keeps the responses
     */
    public IdempotencyKeyFilter(IdempotencyEngine engine, IdempotencyStore store) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The request header that carries the key (default {@value #DEFAULT_HEADER_NAME}). */
    public void setHeaderName(String headerName) {
        if (headerName == null || headerName.isBlank()) {
            throw new IllegalArgumentException("the Idempotency-Key header name must not be empty");
        }
        this.headerName = headerName.trim();
    }

    /** The HTTP methods the filter acts on (default POST and PATCH); other requests pass untouched. */
    public void setMethods(Collection<String> methods) {
        Set<String> upper = new TreeSet<>();
        methods.forEach(method -> upper.add(method.trim().toUpperCase(Locale.ROOT)));
        this.methods = Set.copyOf(upper);
    }

    /**
     * Path patterns ({@code PathPattern} syntax: {@code /payments}, {@code /api/**}, {@code /orders/{id}})
     * of requests that must carry a key; matched against the path within the application.
     *
     * @throws IllegalArgumentException naming a pattern that does not parse
     */
    public void setRequiredPaths(Collection<String> patterns) {
        this.requiredPaths = patterns.stream().map(pattern -> {
            try {
                return PathPatternParser.defaultInstance.parse(pattern);
            } catch (PatternParseException e) {
                throw new IllegalArgumentException("idempotency.http.required-paths: '" + pattern
                        + "' is not a valid path pattern: " + e.getMessage(), e);
            }
        }).toList();
    }

    /** Finds handler methods annotated with {@link IdempotencyKeyRequired}; {@code null} for none. */
    public void setRequiredHandlers(IdempotencyKeyRequiredHandlers requiredHandlers) {
        this.requiredHandlers = requiredHandlers;
    }

    /** Whose keys a request's key belongs to (default: the authenticated principal). */
    public void setScope(IdempotencyKeyScope scope) {
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    /** How long a stored response is replayed (default 24h). */
    public void setTtl(Duration ttl) {
        this.ttl = requirePositive(ttl, "ttl");
    }

    /** How long a running request holds its key without renewal (default 1m); renewed while it runs. */
    public void setLease(Duration lease) {
        this.lease = requirePositive(lease, "lease");
    }

    /** Responses with a larger body are sent but not stored, and the key is released (default 1MB). */
    /**
     * Largest raw request body (JSON, XML, text) the filter reads into memory to fingerprint it; a larger
     * request with a key is answered {@code 413}. Form and multipart bodies are parsed by the container
     * and limited by its own settings. Default 10MB.
     */
    public void setMaxRequestSize(DataSize maxRequestSize) {
        if (maxRequestSize == null || maxRequestSize.isNegative()) {
            throw new IllegalArgumentException("max-request-size must not be negative, was " + maxRequestSize);
        }
        this.maxRequestSize = maxRequestSize.toBytes();
    }

    /**
     * The largest response body that is stored (default 1 MB); a larger one is sent but not stored, and
     * its key released. Its stored form (the body in base64, plus the headers) must also fit the engine's
     * max payload size.
     */
    public void setMaxResponseSize(DataSize maxResponseSize) {
        if (maxResponseSize == null || maxResponseSize.isNegative()) {
            throw new IllegalArgumentException("max-response-size must not be negative, was " + maxResponseSize);
        }
        this.maxResponseSize = maxResponseSize.toBytes();
    }

    /** The largest response body that is stored. */
    public DataSize getMaxResponseSize() {
        return DataSize.ofBytes(maxResponseSize);
    }

    /** Whether 5xx responses are stored and replayed (default false: the key is released, a retry runs). */
    public void setStoreServerErrors(boolean storeServerErrors) {
        this.storeServerErrors = storeServerErrors;
    }

    /**
     * Statuses that are sent but never stored, because they answer a transient state rather than the
     * request (default {@link #DEFAULT_UNSTORED_STATUSES}: 408, 409, 425 and 429); 5xx are governed by
     * {@link #setStoreServerErrors}.
     *
     * @throws IllegalArgumentException for a value that is not an HTTP status (100 to 599)
     */
    public void setUnstoredStatuses(Collection<Integer> statuses) {
        for (Integer status : statuses) {
            if (status == null || status < 100 || status > 599) {
                throw new IllegalArgumentException("idempotency.http.unstored-statuses: " + status
                        + " is not an HTTP status (100 to 599)");
            }
        }
        this.unstoredStatuses = Set.copyOf(statuses);
    }

    /** The {@code Retry-After} sent with 409 Conflict while the first request runs (default 1s). */
    public void setRetryAfter(Duration retryAfter) {
        this.retryAfter = requirePositive(retryAfter, "retry-after");
    }

    private static Duration requirePositive(Duration duration, String name) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !methods.contains(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key;
        try {
            key = IdempotencyKeyHeader.parse(Collections.list(request.getHeaders(headerName)), headerName);
        } catch (InvalidIdempotencyKeyException e) {
            decided(Outcome.REJECTED, request, null, e.getMessage());
            problems.send(request, response, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        if (key == null) {
            if (isKeyRequired(request)) {
                String detail = request.getMethod() + " " + request.getRequestURI() + " requires an " + headerName
                        + " header: send a unique value per operation, such as a UUID, and send the same value"
                        + " again when you retry it";
                decided(Outcome.REJECTED, request, null, detail);
                problems.send(request, response, HttpServletResponse.SC_BAD_REQUEST, detail);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        RequestBodies.Prepared prepared;
        try {
            prepared = RequestBodies.prepare(request, maxRequestSize);
        } catch (RequestBodies.TooLarge tooLarge) {
            String detail = "The request body is larger than " + maxRequestSize + " bytes, the most a request with "
                    + headerName + " may carry (idempotency.http.max-request-size)";
            decided(Outcome.REJECTED, request, key, detail);
            problems.send(request, response, 413, detail);
            return;
        }
        IdempotencyRequest idempotencyRequest = new IdempotencyRequest("http", store, storeKey(request, key),
                fingerprint(request, prepared.bodyHash()), ttl, lease, OnInFlight.REJECT, lease, codec,
                request.getMethod() + " " + request.getRequestURI());
        Map<String, List<String>> before = CapturingResponseWrapper.snapshotHeaders(response);
        CapturingResponseWrapper capturing = new CapturingResponseWrapper(response, maxResponseSize);
        dev.idempotent.IdempotentResult<Object> result;
        try {
            result = engine.execute(idempotencyRequest,
                    () -> proceed(prepared.request(), capturing, chain, before));
        } catch (NotStored notStored) {
            decided(Outcome.NOT_STORED, request, key, notStored.getMessage());
            capturing.deliver();
            return;
        } catch (DownstreamFailure failure) {
            decided(Outcome.NOT_STORED, request, key, "the application threw " + failure.getMessage());
            throw failure.rethrowable();
        } catch (IdempotencyInFlightException e) {
            decided(Outcome.CONFLICT, request, key, null);
            response.setHeader("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
            problems.send(request, response, HttpServletResponse.SC_CONFLICT, "A request with " + headerName + " '"
                    + key + "' is still being processed; retry after it has completed to receive its response");
            return;
        } catch (IdempotencyKeyReuseException e) {
            decided(Outcome.MISMATCH, request, key, null);
            problems.send(request, response, 422, headerName + " '" + key + "' was already used for a different"
                    + " request (another method, path, query or body); use a new key for a new request");
            return;
        } catch (IdempotencyStoreUnavailableException e) {
            decided(Outcome.STORE_UNAVAILABLE, request, key, e.getMessage());
            logger.warn("Idempotency store unavailable for " + request.getMethod() + " " + request.getRequestURI()
                    + " (" + headerName + " " + hashed(key) + "); answered 503 (on-store-failure=fail-closed)",
                    e.getCause() != null ? e.getCause() : e);
            problems.send(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "The request was not"
                    + " processed because the idempotency store is unavailable; retry later with the same "
                    + headerName);
            return;
        } catch (IdempotencyException e) {
            decided(Outcome.UNREADABLE, request, key, e.getMessage());
            logger.error("Cannot replay the stored response of " + request.getMethod() + " " + request.getRequestURI()
                    + " for " + headerName + " " + hashed(key) + ": " + e.getMessage(), e.getCause());
            problems.send(request, response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "The request with "
                    + headerName + " '" + key + "' could not be handled by the idempotency layer (see the server"
                    + " log); nothing was replayed");
            return;
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new ServletException(e);
        }
        switch (result.outcome()) {
            case REPLAYED -> {
                decided(Outcome.REPLAYED, request, key, null);
                replay(response, (CapturedResponse) result.value());
            }
            case UNPROTECTED -> {
                decided(Outcome.UNPROTECTED, request, key, null);
                capturing.deliver();
            }
            default -> {
                decided(Outcome.EXECUTED, request, key, null);
                capturing.deliver();
            }
        }
    }

    private boolean isKeyRequired(HttpServletRequest request) {
        if (!requiredPaths.isEmpty()) {
            PathContainer path = PathContainer.parsePath(
                    request.getRequestURI().substring(request.getContextPath().length()));
            for (PathPattern pattern : requiredPaths) {
                if (pattern.matches(path)) {
                    return true;
                }
            }
        }
        return requiredHandlers != null && requiredHandlers.isKeyRequired(request);
    }

    /** {@code http:<SHA-256 of the scope, or - when anonymous>:<key>}: no user name or API key in the store. */
    private String storeKey(HttpServletRequest request, String key) {
        String scopeValue = scope.scopeOf(request);
        String scopePart = scopeValue == null || scopeValue.isEmpty() ? ANONYMOUS_SCOPE : Keys.sha256Hex(scopeValue);
        return Keys.qualify(KEY_NAMESPACE, scopePart + ":" + key, store.maxKeyLength());
    }

    /** The SHA-256 of the method, the path and query, and the body's SHA-256. */
    private static String fingerprint(HttpServletRequest request, String bodyHash) {
        String query = request.getQueryString();
        return Keys.sha256Hex(request.getMethod() + " " + request.getRequestURI()
                + (query == null ? "" : "?" + query) + "\n" + bodyHash);
    }

    /** Runs the application and returns its response for storing, or throws {@link NotStored}. */
    private CapturedResponse proceed(HttpServletRequest request, CapturingResponseWrapper response,
            FilterChain chain, Map<String, List<String>> before) throws IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw new DownstreamFailure(e);
        }
        response.flushWriter();
        if (request.isAsyncStarted()) {
            response.switchToPassThrough();
            throw new NotStored("the response is produced asynchronously");
        }
        if (response.isOverflowed()) {
            throw new NotStored("the response is larger than max-response-size (" + maxResponseSize + " bytes)");
        }
        if (response.isErrorSent()) {
            throw new NotStored("the application called sendError(" + response.status()
                    + "), so the container renders the response");
        }
        IdempotencyException handled = handledIdempotencyException(request);
        if (handled != null) {
            throw new NotStored("the response answers " + handled.getClass().getSimpleName()
                    + ", a transient state, not the request");
        }
        CapturedResponse captured = response.capture(before, IdempotencyKeyFilter::isStorable);
        if (captured.status() >= 500 && !storeServerErrors) {
            throw new NotStored("server error " + captured.status() + " (store-server-errors=false)");
        }
        if (unstoredStatuses.contains(captured.status())) {
            throw new NotStored("status " + captured.status() + " is not a final answer (unstored-statuses)");
        }
        return captured;
    }

    /** The {@link IdempotencyException} a handler turned into this response, or {@code null}. */
    private static IdempotencyException handledIdempotencyException(HttpServletRequest request) {
        for (String attribute : List.of(HANDLED_EXCEPTION_ATTRIBUTE, DISPATCHER_EXCEPTION_ATTRIBUTE)) {
            Object value = request.getAttribute(attribute);
            for (Throwable t = value instanceof Throwable thrown ? thrown : null; t != null;
                    t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof IdempotencyException idempotency) {
                    return idempotency;
                }
            }
        }
        return null;
    }

    /** A key as logs show it: the start of its SHA-256, enough to match log lines, never the key itself. */
    static String hashed(String key) {
        return key == null ? "(none)" : "sha256:" + Keys.sha256Hex(key).substring(0, 16);
    }

    private static boolean isStorable(String headerName) {
        String lower = headerName.toLowerCase(Locale.ROOT);
        return !UNSTORED_HEADERS.contains(lower) && !lower.startsWith("proxy-");
    }

    /**
     * Sends a stored response. Headers are filtered again here, not only when captured: a record written
     * by another writer, an older version or a tampered store never replays a cookie or a credential.
     */
    private static void replay(HttpServletResponse response, CapturedResponse stored) throws IOException {
        response.setStatus(stored.status());
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (CapturedResponse.Header header : stored.headers()) {
            if (!isStorable(header.name())) {
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

    /** What the filter did with a request. */
    enum Outcome {
        /** The key was claimed, the request ran and its response was stored. */
        EXECUTED,
        /** The stored response was replayed; the application was not called. */
        REPLAYED,
        /** The key is held by a request still running: 409. */
        CONFLICT,
        /** The key was first used for a different request: 422. */
        MISMATCH,
        /** The key was invalid, or missing where required: 400. */
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
     * Every decision passes through here, once per request that carried a key or needed one. This is the
     * place to count them (a metrics counter tagged with the outcome and the method).
     */
    private void decided(Outcome outcome, HttpServletRequest request, String key, String detail) {
        if (logger.isDebugEnabled()) {
            logger.debug("Idempotency-Key " + outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                    + request.getMethod() + " " + request.getRequestURI()
                    + (key == null ? "" : " key '" + key + "'") + (detail == null ? "" : " (" + detail + ")"));
        }
    }

    /** The response must not be stored; the engine releases the key and the filter sends it anyway. */
    private static final class NotStored extends RuntimeException {

        NotStored(String reason) {
            super(reason, null, false, false);
        }
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
