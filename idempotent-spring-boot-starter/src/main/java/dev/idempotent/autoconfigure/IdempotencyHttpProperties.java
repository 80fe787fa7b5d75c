package dev.idempotent.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the HTTP {@code Idempotency-Key} filter ({@code idempotency.http.*}).
 */
@ConfigurationProperties(prefix = "idempotency.http")
public class IdempotencyHttpProperties {

    /**
     * Whether the Idempotency-Key filter is registered in servlet and reactive (WebFlux) web applications.
     */
    private boolean enabled = true;

    /**
     * Name of the request header that carries the key. Its value may be a quoted sf-string ("abc", as in
     * the IETF draft) or bare (abc, as Stripe's clients send it).
     */
    private String headerName = "Idempotency-Key";

    /**
     * HTTP methods the filter acts on (default POST and PATCH). Requests with other methods pass
     * through untouched, with or without a key.
     */
    private List<String> methods = new ArrayList<>(List.of("POST", "PATCH"));

    /**
     * Path patterns (PathPattern syntax, e.g. /payments/**) of requests that must carry a key; a request
     * with one of the methods above and without a key gets 400 Bad Request. Handler methods annotated
     * with @IdempotencyKeyRequired require one too.
     */
    private List<String> requiredPaths = new ArrayList<>();

    /**
     * How long a stored response is replayed for repeats of its key.
     */
    private Duration ttl = Duration.ofHours(24);

    /**
     * How long a running request holds its key without renewing it before it counts as crashed. Renewed
     * every third of this while the request runs.
     */
    private Duration lease = Duration.ofMinutes(1);

    /**
     * Largest response body that is stored. A larger response is sent to the client but not stored, and
     * its key is released: a repeat runs the request again. Default: idempotency.max-payload-size (the
     * stored form of a response, its body in base64 plus its headers, must fit that limit too).
     */
    private @Nullable DataSize maxResponseSize;

    /**
     * Largest raw request body (JSON, XML, text) read into memory to fingerprint a request that carries a
     * key; a larger one is answered 413. Form and multipart bodies are limited by the servlet container.
     */
    private DataSize maxRequestSize = DataSize.ofMegabytes(10);

    /**
     * Whether 5xx responses are stored and replayed (as Stripe does). By default they are not: the key is
     * released so that the client's retry runs the request again.
     */
    private boolean storeServerErrors = false;

    /**
     * Statuses that are sent but never stored, because they answer a transient state rather than the
     * request (a 409 of an inner @Idempotent method in flight, a 429 of a rate limiter): the key is released
     * and a retry runs the request again. 5xx are governed by store-server-errors. Responses produced while
     * an IdempotencyException was handled are never stored, whatever their status.
     */
    private List<Integer> unstoredStatuses = new ArrayList<>(List.of(408, 409, 425, 429));

    /**
     * Value of the Retry-After header of the 409 Conflict answered while the first request with a key is
     * still running (rounded down to whole seconds, at least 1).
     */
    private Duration retryAfter = Duration.ofSeconds(1);

    /**
     * Order of the filter in the servlet filter chain. The default (-90) runs right after Spring
     * Security's filter chain (-100), so that keys are scoped by the authenticated principal and an
     * unauthorized request never receives a stored response. Keep it after your authentication filters.
     */
    private int filterOrder = -90;

    private final ProblemDetails problemDetails = new ProblemDetails();

    /**
     * The rules of the header as set here, shared by the servlet and the WebFlux filter.
     *
     * @param defaultMaxResponseSize when {@code max-response-size} is not set: {@code idempotency.max-payload-size}
     */
    dev.idempotent.web.IdempotencyKeyPolicy toPolicy(DataSize defaultMaxResponseSize) {
        dev.idempotent.web.IdempotencyKeyPolicy policy = new dev.idempotent.web.IdempotencyKeyPolicy();
        policy.setHeaderName(headerName);
        policy.setMethods(methods);
        policy.setRequiredPaths(requiredPaths);
        policy.setTtl(ttl);
        policy.setLease(lease);
        policy.setMaxResponseSize(maxResponseSize != null ? maxResponseSize : defaultMaxResponseSize);
        policy.setMaxRequestSize(maxRequestSize);
        policy.setStoreServerErrors(storeServerErrors);
        policy.setUnstoredStatuses(unstoredStatuses);
        policy.setRetryAfter(retryAfter);
        return policy;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHeaderName() {
        return headerName;
    }

    public void setHeaderName(String headerName) {
        this.headerName = headerName;
    }

    public List<String> getMethods() {
        return methods;
    }

    public void setMethods(List<String> methods) {
        this.methods = methods;
    }

    public List<String> getRequiredPaths() {
        return requiredPaths;
    }

    public void setRequiredPaths(List<String> requiredPaths) {
        this.requiredPaths = requiredPaths;
    }

    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public DataSize getMaxRequestSize() {
        return maxRequestSize;
    }

    public void setMaxRequestSize(DataSize maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    /** @return the limit, or {@code null} for idempotency.max-payload-size */
    public @Nullable DataSize getMaxResponseSize() {
        return maxResponseSize;
    }

    public void setMaxResponseSize(@Nullable DataSize maxResponseSize) {
        this.maxResponseSize = maxResponseSize;
    }

    public boolean isStoreServerErrors() {
        return storeServerErrors;
    }

    public void setStoreServerErrors(boolean storeServerErrors) {
        this.storeServerErrors = storeServerErrors;
    }

    public List<Integer> getUnstoredStatuses() {
        return unstoredStatuses;
    }

    public void setUnstoredStatuses(List<Integer> unstoredStatuses) {
        this.unstoredStatuses = unstoredStatuses;
    }

    public ProblemDetails getProblemDetails() {
        return problemDetails;
    }

    public Duration getRetryAfter() {
        return retryAfter;
    }

    public void setRetryAfter(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }

    /**
     * RFC 9457 problem details for the exceptions of @Idempotent methods called from Spring MVC handlers
     * ({@code idempotency.http.problem-details.*}); independent of the filter.
     */
    public static class ProblemDetails {

        /**
         * Whether the exceptions of @Idempotent methods reaching Spring MVC are answered as problem details:
         * in flight 409 (with Retry-After), key reuse 422, invalid key 400, store unavailable 503. The
         * application's own @ExceptionHandler methods still come first.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
