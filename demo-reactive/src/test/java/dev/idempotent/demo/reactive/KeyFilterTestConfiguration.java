package dev.idempotent.demo.reactive;

import dev.idempotent.engine.IdempotencyListener;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Test endpoints for the WebFlux filter, each counting how often it really ran (per {@code X-Test-Run}); a
 * stand-in for Spring Security that makes {@code X-Test-User} the exchange's principal; and a listener that
 * records on which thread every store step answered.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(KeyFilterTestConfiguration.Endpoints.class)
public class KeyFilterTestConfiguration {

    /** Authenticates as X-Test-User, where Spring Security's WebFilterChainProxy would (order -100). */
    @Bean
    @Order(-100)
    WebFilter testAuthentication() {
        return (exchange, chain) -> {
            String user = exchange.getRequest().getHeaders().getFirst(Http.USER_HEADER);
            if (user == null) {
                return chain.filter(exchange);
            }
            Principal principal = () -> user;
            return chain.filter(
                    exchange.mutate().principal(Mono.just(principal)).build());
        };
    }

    @Bean
    StoreThreads storeThreads() {
        return new StoreThreads();
    }

    /** The threads on which store steps answered, by store. */
    public static class StoreThreads implements IdempotencyListener {

        private final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onStoreOperation(String store, String operation, long nanos, boolean success) {
            seen.add(store + " " + operation + " on " + Thread.currentThread().getName());
        }

        List<String> seen() {
            return List.copyOf(seen);
        }
    }

    @RestController
    public static class Endpoints {

        private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        private final Map<String, Sinks.One<String>> gates = new ConcurrentHashMap<>();

        int runs(String run) {
            AtomicInteger count = runs.get(run);
            return count == null ? 0 : count.get();
        }

        Sinks.One<String> gate(String run) {
            return gates.computeIfAbsent(run, r -> Sinks.one());
        }

        private int ran(String run) {
            return runs.computeIfAbsent(run, r -> new AtomicInteger()).incrementAndGet();
        }

        @PostMapping("/test/echo")
        Mono<ResponseEntity<String>> echo(
                @RequestHeader(Http.RUN_HEADER) String run, @RequestBody(required = false) String body) {
            return Mono.fromSupplier(() -> {
                int count = ran(run);
                return ResponseEntity.created(URI.create("/test/echo/" + count))
                        .header("X-Custom", "custom")
                        .header("X-Multi", "one", "two")
                        .eTag("\"v" + count + "\"")
                        .header(
                                "Set-Cookie",
                                ResponseCookie.from("session", "s" + count)
                                        .build()
                                        .toString())
                        .header("Content-Type", "application/json")
                        .body("{\"run\":" + count + ",\"received\":\"" + (body == null ? 0 : body.length())
                                + " chars\"}");
            });
        }

        @PostMapping("/test/status/{status}")
        Mono<ResponseEntity<String>> status(@RequestHeader(Http.RUN_HEADER) String run, @PathVariable int status) {
            return Mono.fromSupplier(() -> ResponseEntity.status(status).body("answer " + ran(run)));
        }

        @PostMapping("/test/fail")
        Mono<String> fail(@RequestHeader(Http.RUN_HEADER) String run) {
            return Mono.defer(() -> Mono.error(new IllegalStateException("failed " + ran(run))));
        }

        @PostMapping("/test/large/{size}")
        Mono<String> large(@RequestHeader(Http.RUN_HEADER) String run, @PathVariable int size) {
            return Mono.fromSupplier(() -> {
                ran(run);
                return "x".repeat(size);
            });
        }

        @PostMapping("/test/held")
        Mono<String> held(@RequestHeader(Http.RUN_HEADER) String run) {
            return Mono.defer(() -> {
                ran(run);
                return gate(run).asMono();
            });
        }

        @PostMapping(path = "/test/form", consumes = "application/x-www-form-urlencoded")
        Mono<String> form(
                @RequestHeader(Http.RUN_HEADER) String run, org.springframework.web.server.ServerWebExchange exchange) {
            return exchange.getFormData().map((MultiValueMap<String, String> form) -> "form " + ran(run) + " " + form);
        }

        @PostMapping(path = "/test/upload", consumes = "multipart/form-data")
        Mono<String> upload(
                @RequestHeader(Http.RUN_HEADER) String run,
                @org.springframework.web.bind.annotation.RequestPart("file")
                        org.springframework.http.codec.multipart.FilePart file) {
            return org.springframework.core.io.buffer.DataBufferUtils.join(file.content())
                    .map(buffer -> {
                        String content = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
                        org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                        return "upload " + ran(run) + " " + file.filename() + " " + content;
                    });
        }

        @dev.idempotent.web.IdempotencyKeyRequired
        @PostMapping("/test/annotated")
        Mono<String> annotated(@RequestHeader(Http.RUN_HEADER) String run) {
            return Mono.fromSupplier(() -> "annotated " + ran(run));
        }

        @PostMapping("/test/slow")
        Mono<String> slow(@RequestHeader(Http.RUN_HEADER) String run) {
            return Mono.fromSupplier(() -> "slow " + ran(run)).delayElement(java.time.Duration.ofMillis(200));
        }
    }
}
