package dev.idempotent.web;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whose keys a request's {@code Idempotency-Key} belongs to. The scope is part of the stored key, so two
 * callers that pick the same key value never share a record: one user never receives another user's
 * stored response. The default, {@link #principal()}, is the authenticated principal's name
 * ({@link HttpServletRequest#getUserPrincipal()}); define a bean of this type to use something else.
 *
 * <p>A tenant header set (and verified) by a gateway:
 * <pre class="code">
 * &#64;Bean
 * IdempotencyKeyScope idempotencyKeyScope() {
 *     return IdempotencyKeyScope.header("X-Tenant-Id");
 * }
 * </pre>
 * An API key checked by an earlier filter, combined with the user:
 * <pre class="code">
 * &#64;Bean
 * IdempotencyKeyScope idempotencyKeyScope() {
 *     return request -&gt; request.getHeader("X-Api-Key") + "/" + request.getRemoteUser();
 * }
 * </pre>
 * Only use a value the application has authenticated: a scope taken from a header the client may set
 * freely lets a client choose another client's scope. The filter stores a SHA-256 of the scope, never
 * the scope itself, so API keys and user names do not end up in the store.
 *
 * <p>Requests without a scope ({@code null} or empty, e.g. anonymous requests with the principal scope)
 * share one anonymous scope.
 */
@FunctionalInterface
public interface IdempotencyKeyScope {

    /**
     * The scope of {@code request}'s key, e.g. the user's name, a tenant id or an API key; {@code null}
     * or empty for the shared anonymous scope. Called after authentication, before any store lookup.
     */
    @Nullable
    String scopeOf(HttpServletRequest request);

    /** The authenticated principal's name ({@link HttpServletRequest#getUserPrincipal()}): the default. */
    static IdempotencyKeyScope principal() {
        return PrincipalScope.INSTANCE;
    }

    /**
     * The value of the request header {@code headerName} (e.g. a tenant id set by a gateway, or an API
     * key that an earlier filter verified).
     */
    static IdempotencyKeyScope header(String headerName) {
        Objects.requireNonNull(headerName, "headerName");
        return request -> request.getHeader(headerName);
    }

    /** The default scope, a named class so that it reads well in logs and bean listings. */
    final class PrincipalScope implements IdempotencyKeyScope {

        private static final PrincipalScope INSTANCE = new PrincipalScope();

        private PrincipalScope() {}

        @Override
        public @Nullable String scopeOf(HttpServletRequest request) {
            Principal principal = request.getUserPrincipal();
            return principal == null ? null : principal.getName();
        }

        @Override
        public String toString() {
            return "IdempotencyKeyScope.principal()";
        }
    }
}
