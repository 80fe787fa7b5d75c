package dev.idempotent.demo;

import dev.idempotent.web.IdempotencyKeyRequired;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Test-only endpoints for the Idempotency-Key filter tests, each counting how often it really ran (per
 * {@code X-Test-Run} header, one value per test), and a stand-in for authentication that takes the
 * principal from {@code X-Test-User}.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(IdempotencyKeyFilterTestConfiguration.FilterTestController.class)
public class IdempotencyKeyFilterTestConfiguration {

    static final String RUN_HEADER = "X-Test-Run";

    static final String USER_HEADER = "X-Test-User";

    @Bean
    Executions executions() {
        return new Executions();
    }

    @Bean
    Gates gates() {
        return new Gates();
    }

    /** Authenticates as X-Test-User, where Spring Security's filter chain would (order -100). */
    @Bean
    FilterRegistrationBean<Filter> testAuthenticationFilter() {
        Filter filter = (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            String user = http.getHeader(USER_HEADER);
            if (user == null) {
                chain.doFilter(request, response);
                return;
            }
            Principal principal = () -> user;
            chain.doFilter(
                    new HttpServletRequestWrapper(http) {
                        @Override
                        public Principal getUserPrincipal() {
                            return principal;
                        }

                        @Override
                        public String getRemoteUser() {
                            return user;
                        }
                    },
                    response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(-100);
        return registration;
    }

    /** How often each endpoint really ran, per test run. */
    public static class Executions {

        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        void record(String run) {
            counts.computeIfAbsent(run == null ? "none" : run, r -> new AtomicInteger())
                    .incrementAndGet();
        }

        int of(String run) {
            AtomicInteger count = counts.get(run);
            return count == null ? 0 : count.get();
        }
    }

    /** Holds a running request until the test lets it finish. */
    public static class Gates {

        private final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();

        private final Map<String, CountDownLatch> released = new ConcurrentHashMap<>();

        CountDownLatch entered(String run) {
            return entered.computeIfAbsent(run, r -> new CountDownLatch(1));
        }

        CountDownLatch released(String run) {
            return released.computeIfAbsent(run, r -> new CountDownLatch(1));
        }
    }

    /** A test component: only in contexts that import it, never found by component scanning. */
    @TestComponent
    @RestController
    @RequestMapping("/test")
    static class FilterTestController {

        private final Executions executions;

        private final Gates gates;

        FilterTestController(Executions executions, Gates gates) {
            this.executions = executions;
            this.gates = gates;
        }

        /** 201 with Location, ETag, a JSON body, application headers and a cookie. */
        @PostMapping("/echo")
        ResponseEntity<String> echo(@RequestHeader(RUN_HEADER) String run, @RequestBody(required = false) String body) {
            executions.record(run);
            String id = UUID.randomUUID().toString();
            return ResponseEntity.created(URI.create("/test/echo/" + id))
                    .eTag("\"" + id + "\"")
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("X-Custom", "custom-value")
                    .header("X-Multi", "one", "two")
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .header(HttpHeaders.SET_COOKIE, "session=" + id + "; Path=/; HttpOnly")
                    .body("{\"id\":\"" + id + "\",\"received\":"
                            + (body == null ? "null" : "\"" + body.length() + " chars\"") + "}");
        }

        @PatchMapping("/echo")
        ResponseEntity<String> patchEcho(
                @RequestHeader(RUN_HEADER) String run, @RequestBody(required = false) String body) {
            return echo(run, body);
        }

        /** Answers {@code code} with a small JSON body. */
        @PostMapping("/status/{code}")
        ResponseEntity<String> status(@RequestHeader(RUN_HEADER) String run, @PathVariable int code) {
            executions.record(run);
            return ResponseEntity.status(code)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body("{\"status\":" + code + ",\"id\":\"" + UUID.randomUUID() + "\"}");
        }

        @PostMapping("/throw")
        String fail(@RequestHeader(RUN_HEADER) String run) {
            executions.record(run);
            throw new IllegalStateException("boom");
        }

        /** A text body of {@code size} bytes. */
        @PostMapping("/async")
        java.util.concurrent.CompletableFuture<org.springframework.http.ResponseEntity<String>> async() {
            return java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> org.springframework.http.ResponseEntity.status(201)
                            .header("Location", "/test/async/1")
                            .body("made later"),
                    java.util.concurrent.CompletableFuture.delayedExecutor(
                            100, java.util.concurrent.TimeUnit.MILLISECONDS));
        }

        @PostMapping("/big")
        ResponseEntity<byte[]> big(@RequestHeader(RUN_HEADER) String run, @RequestParam int size) {
            executions.record(run);
            byte[] body = new byte[size];
            String id = UUID.randomUUID().toString();
            for (int i = 0; i < size; i++) {
                body[i] = (byte) id.charAt(i % id.length());
            }
            return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(body);
        }

        /** Runs until the test releases its run (at most 10 s). */
        @PostMapping("/slow")
        ResponseEntity<String> slow(@RequestHeader(RUN_HEADER) String run) throws InterruptedException {
            executions.record(run);
            gates.entered(run).countDown();
            gates.released(run).await(10, TimeUnit.SECONDS);
            return ResponseEntity.status(HttpStatus.CREATED).body("done " + UUID.randomUUID());
        }

        /** A form post: the container parses the body into parameters. */
        @PostMapping(value = "/form", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
        String form(@RequestHeader(RUN_HEADER) String run, @RequestParam String item, @RequestParam int quantity) {
            executions.record(run);
            return item + " x" + quantity + " " + UUID.randomUUID();
        }

        /** A multipart upload: the container parses the body into parts. */
        @PostMapping(value = "/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
        String upload(@RequestHeader(RUN_HEADER) String run, @RequestParam("file") MultipartFile file)
                throws java.io.IOException {
            executions.record(run);
            return file.getOriginalFilename() + " " + file.getBytes().length + " bytes " + UUID.randomUUID();
        }

        @IdempotencyKeyRequired
        @PostMapping("/required")
        String required(@RequestHeader(RUN_HEADER) String run) {
            executions.record(run);
            return "ran " + UUID.randomUUID();
        }

        /** Required through idempotency.http.required-paths. */
        @PostMapping("/required-path/{name}")
        String requiredPath(@RequestHeader(RUN_HEADER) String run, @PathVariable String name) {
            executions.record(run);
            return "ran " + name;
        }

        @PostMapping(value = "/whoami", produces = "text/plain")
        byte[] whoami(@RequestHeader(RUN_HEADER) String run, HttpServletRequest request) {
            executions.record(run);
            Principal principal = request.getUserPrincipal();
            return ((principal == null ? "anonymous" : principal.getName()) + " " + UUID.randomUUID())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}
