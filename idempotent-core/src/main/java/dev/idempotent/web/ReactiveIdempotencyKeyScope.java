package dev.idempotent.web;

import java.security.Principal;
import java.util.Objects;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@link IdempotencyKeyScope} for the WebFlux filter ({@link IdempotencyKeyWebFilter}): whose keys a request's
 * {@code Idempotency-Key} belongs to. The default, {@link #principal()}, is the name of the exchange's principal,
 * which Spring Security's WebFlux support takes from the reactive security context; define a bean of this
 * type to use something else. An empty answer is the shared anonymous scope. The filter stores a SHA-256 of
 * the scope, never the scope itself.
 */
@FunctionalInterface
public interface ReactiveIdempotencyKeyScope {

    /** The scope of the exchange's key, e.g. the user's name or a tenant id; empty for the anonymous scope. */
    Mono<String> scopeOf(ServerWebExchange exchange);

    /** The name of the exchange's principal ({@link ServerWebExchange#getPrincipal()}): the default. */
    static ReactiveIdempotencyKeyScope principal() {
        return PrincipalScope.INSTANCE;
    }

    /** The value of the request header {@code headerName} (e.g. a tenant id set and verified by a gateway). */
    static ReactiveIdempotencyKeyScope header(String headerName) {
        Objects.requireNonNull(headerName, "headerName");
        return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst(headerName));
    }

    /** The default scope, a named class so that it reads well in logs and bean listings. */
    final class PrincipalScope implements ReactiveIdempotencyKeyScope {

        private static final PrincipalScope INSTANCE = new PrincipalScope();

        private PrincipalScope() {}

        @Override
        public Mono<String> scopeOf(ServerWebExchange exchange) {
            return exchange.getPrincipal().map(Principal::getName);
        }

        @Override
        public String toString() {
            return "ReactiveIdempotencyKeyScope.principal()";
        }
    }
}
