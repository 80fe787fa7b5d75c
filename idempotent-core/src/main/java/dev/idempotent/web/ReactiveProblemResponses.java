package dev.idempotent.web;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Writes {@link ProblemResponses problem details} to a WebFlux response. */
final class ReactiveProblemResponses extends ProblemResponses {

    ReactiveProblemResponses(JsonMapper mapper) {
        super(mapper);
    }

    /**
     * Sends {@code status} with {@code detail}; {@code instance} is the request's path.
     *
     * @param retryAfter the {@code Retry-After} value, or {@code null} for none
     */
    Mono<Void> send(ServerWebExchange exchange, int status, String detail, @Nullable String retryAfter) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(status));
        if (retryAfter != null) {
            response.getHeaders().set("Retry-After", retryAfter);
        }
        response.getHeaders().set(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
        return write(
                response, body(status, detail, exchange.getRequest().getURI().getRawPath()));
    }

    /** Sends {@code body} whole, with its {@code Content-Length}. */
    static Mono<Void> write(ServerHttpResponse response, byte[] body) {
        response.getHeaders().setContentLength(body.length);
        if (body.length == 0) {
            return response.setComplete();
        }
        return response.writeWith(
                Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
    }
}
