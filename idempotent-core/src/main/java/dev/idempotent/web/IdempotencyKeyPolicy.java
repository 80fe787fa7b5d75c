package dev.idempotent.web;

import dev.idempotent.InvalidIdempotencyKeyException;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Keys;
import dev.idempotent.support.ResultCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.PathContainer;
import org.springframework.util.unit.DataSize;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * The rules of the {@code Idempotency-Key} header, the same for the servlet filter ({@link IdempotencyKeyFilter})
 * and the WebFlux one ({@link IdempotencyKeyWebFilter}): which requests it acts on, the key forms, which
 * requests must carry a key, the store key (namespace, scope, key), the fingerprint of a request, the size
 * limits, which responses are stored and which of their headers. Each setting is checked when it is set; the
 * filters only carry the rules out on their own kind of request.
 */
public class IdempotencyKeyPolicy {

    /** The header of the IETF draft and of Stripe. */
    public static final String DEFAULT_HEADER_NAME = "Idempotency-Key";

    /** Set to {@code true} on every replayed response. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /** Statuses that say "not now" rather than give an answer: never stored by default. */
    public static final Set<Integer> DEFAULT_UNSTORED_STATUSES = Set.of(408, 409, 425, 429);

    /**
     * Request (or exchange) attribute that marks a response as produced while an
     * {@link dev.idempotent.IdempotencyException} was handled (its value is the exception): sent, never stored.
     * A literal, so that the WebFlux filter never loads the servlet one.
     */
    public static final String HANDLED_EXCEPTION_ATTRIBUTE =
            "dev.idempotent.web.IdempotencyKeyFilter.HANDLED_EXCEPTION";

    /** Namespace of the filters' store keys: {@code http:<sha256 of scope, or ->:<key>}. */
    public static final String KEY_NAMESPACE = "http";

    private static final String ANONYMOUS_SCOPE = "-";

    /**
     * Never stored nor replayed: cookies and credentials belong to one exchange, hop-by-hop headers to one
     * connection, Date to one moment, Content-Length is recomputed.
     */
    private static final Set<String> UNSTORED_HEADERS = Set.of(
            "set-cookie",
            "set-cookie2",
            "authorization",
            "www-authenticate",
            "connection",
            "keep-alive",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "date",
            "content-length",
            REPLAYED_HEADER.toLowerCase(Locale.ROOT));

    private String headerName = DEFAULT_HEADER_NAME;

    private Set<String> methods = Set.of("POST", "PATCH");

    private List<PathPattern> requiredPaths = List.of();

    private Duration ttl = Duration.ofHours(24);

    private Duration lease = Duration.ofMinutes(1);

    private long maxResponseSize = DataSize.ofMegabytes(1).toBytes();

    private long maxRequestSize = DataSize.ofMegabytes(10).toBytes();

    private boolean storeServerErrors;

    private Set<Integer> unstoredStatuses = DEFAULT_UNSTORED_STATUSES;

    private Duration retryAfter = Duration.ofSeconds(1);

    /** The request header that carries the key (default {@value #DEFAULT_HEADER_NAME}). */
    public void setHeaderName(String headerName) {
        if (headerName == null || headerName.isBlank()) {
            throw new IllegalArgumentException("the Idempotency-Key header name must not be empty");
        }
        this.headerName = headerName.trim();
    }

    public String getHeaderName() {
        return headerName;
    }

    /** The HTTP methods the filters act on (default POST and PATCH); other requests pass untouched. */
    public void setMethods(Collection<String> methods) {
        Set<String> upper = new TreeSet<>();
        methods.forEach(method -> upper.add(method.trim().toUpperCase(Locale.ROOT)));
        this.methods = Set.copyOf(upper);
    }

    public Set<String> getMethods() {
        return methods;
    }

    /**
     * Path patterns ({@code PathPattern} syntax: {@code /payments}, {@code /api/**}, {@code /orders/{id}})
     * of requests that must carry a key; matched against the path within the application.
     *
     * @throws IllegalArgumentException naming a pattern that does not parse
     */
    public void setRequiredPaths(Collection<String> patterns) {
        this.requiredPaths = patterns.stream()
                .map(pattern -> {
                    try {
                        return PathPatternParser.defaultInstance.parse(pattern);
                    } catch (PatternParseException e) {
                        throw new IllegalArgumentException(
                                "idempotency.http.required-paths: '" + pattern + "' is not a valid path pattern: "
                                        + e.getMessage(),
                                e);
                    }
                })
                .toList();
    }

    /** How long a stored response is replayed (default 24h). */
    public void setTtl(Duration ttl) {
        this.ttl = requirePositive(ttl, "ttl");
    }

    /** How long a running request holds its key without renewal (default 1m); renewed while it runs. */
    public void setLease(Duration lease) {
        this.lease = requirePositive(lease, "lease");
    }

    /**
     * Largest raw request body (JSON, XML, text) read into memory to fingerprint it; a larger request with a
     * key is answered {@code 413}. Default 10MB.
     */
    public void setMaxRequestSize(DataSize maxRequestSize) {
        if (maxRequestSize == null || maxRequestSize.isNegative()) {
            throw new IllegalArgumentException("max-request-size must not be negative, was " + maxRequestSize);
        }
        this.maxRequestSize = maxRequestSize.toBytes();
    }

    public long getMaxRequestSize() {
        return maxRequestSize;
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
                throw new IllegalArgumentException(
                        "idempotency.http.unstored-statuses: " + status + " is not an HTTP status (100 to 599)");
            }
        }
        this.unstoredStatuses = Set.copyOf(statuses);
    }

    /** The {@code Retry-After} sent with 409 Conflict while the first request runs (default 1s). */
    public void setRetryAfter(Duration retryAfter) {
        this.retryAfter = requirePositive(retryAfter, "retry-after");
    }

    /** The {@code Retry-After} value, in whole seconds (at least 1). */
    String retryAfterSeconds() {
        return String.valueOf(Math.max(1, retryAfter.toSeconds()));
    }

    private static Duration requirePositive(Duration duration, String name) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }

    // ---- the rules ----

    /** Whether the filters act on requests with this HTTP method. */
    boolean appliesTo(String method) {
        return methods.contains(method);
    }

    /**
     * The key in the header's values (one per occurrence), or {@code null} when it is absent.
     *
     * @throws InvalidIdempotencyKeyException for a key that is not valid ({@link IdempotencyKeyHeader})
     */
    @Nullable
    String key(List<String> headerValues) {
        return IdempotencyKeyHeader.parse(headerValues, headerName);
    }

    /** Whether a request to {@code pathWithinApplication} must carry a key by {@code required-paths}. */
    boolean isRequiredPath(String pathWithinApplication) {
        if (requiredPaths.isEmpty()) {
            return false;
        }
        PathContainer path = PathContainer.parsePath(pathWithinApplication);
        for (PathPattern pattern : requiredPaths) {
            if (pattern.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** The detail of the 400 for a request without a key that must carry one. */
    String missingKeyDetail(String method, String path) {
        return method + " " + path + " requires an " + headerName + " header: send a unique value per operation,"
                + " such as a UUID, and send the same value again when you retry it";
    }

    /** The detail of the 413 for a request body over {@code max-request-size}. */
    String tooLargeDetail() {
        return "The request body is larger than " + maxRequestSize + " bytes, the most a request with " + headerName
                + " may carry (idempotency.http.max-request-size)";
    }

    /**
     * The engine's request for one HTTP request: the store key {@code http:<SHA-256 of the scope, or - when
     * anonymous>:<key>} (no user name or API key in the store), and the fingerprint: the SHA-256 of the method,
     * the path and query, and the body's SHA-256.
     */
    IdempotencyRequest request(
            IdempotencyStore store,
            @Nullable String scope,
            String key,
            String method,
            String path,
            String query,
            String bodyHash,
            ResultCodec codec) {
        String scopePart = scope == null || scope.isEmpty() ? ANONYMOUS_SCOPE : Keys.sha256Hex(scope);
        return IdempotencyRequest.builder(KEY_NAMESPACE, store)
                .key(scopePart + ":" + key)
                .fingerprint(Keys.sha256Hex(method + " " + path + (query == null ? "" : "?" + query) + "\n" + bodyHash))
                .ttl(ttl)
                .lease(lease)
                .waitTimeout(lease)
                .codec(codec)
                .operation(method + " " + path)
                .build();
    }

    /** Why a response with {@code status} is not stored, or {@code null} if it is. */
    @Nullable
    String whyNotStored(int status) {
        if (status >= 500 && !storeServerErrors) {
            return "server error " + status + " (store-server-errors=false)";
        }
        if (unstoredStatuses.contains(status)) {
            return "status " + status + " is not a final answer (unstored-statuses)";
        }
        return null;
    }

    /** Why a response body over {@code max-response-size} is not stored. */
    String responseTooLarge() {
        return "the response is larger than max-response-size (" + maxResponseSize + " bytes)";
    }

    long maxResponseBytes() {
        return maxResponseSize;
    }

    /** Whether a response header is stored and replayed. */
    static boolean isStorableHeader(String headerName) {
        String lower = headerName.toLowerCase(Locale.ROOT);
        return !UNSTORED_HEADERS.contains(lower) && !lower.startsWith("proxy-");
    }

    /** A key as logs show it: the start of its SHA-256, enough to match log lines, never the key itself. */
    static String hashed(String key) {
        return key == null ? "(none)" : "sha256:" + Keys.sha256Hex(key).substring(0, 16);
    }
}
