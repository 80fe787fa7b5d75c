package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.Idempotent;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new web application with the starter and an annotated service method, and no mapping of its own: the
 * library's exceptions come back as problem details (409 with Retry-After, 422, 400, 503), never as a 500;
 * the application's own {@code @ExceptionHandler} still wins; a property turns the mapping off; behind the
 * {@code Idempotency-Key} filter, the 409 of an inner method in flight is never stored; and no body holds
 * internal text (SQL, host names, class names, stack traces).
 */
class ProblemDetailsWebAppTests {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String[] SECURITY = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
    };

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @AfterEach
    void close() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    private String start(Class<?> application, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "spring.main.banner-mode=off",
                "spring.autoconfigure.exclude=" + String.join(",", SECURITY),
                "idempotency.store=caffeine",
                "management.endpoints.web.exposure.include="));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.SERVLET)
                .properties(all.toArray(String[]::new))
                .run();
        contexts.add(context);
        Integer port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        return "http://127.0.0.1:" + port;
    }

    @Test
    void theLibrarysExceptionsAreProblemDetailsWithNoCodeFromTheApplication() throws Exception {
        String base = start(App.class);
        String id = "r-" + UUID.randomUUID();
        CompletableFuture<String> running = holdWhilePlacing(id);

        HttpResponse<String> inFlight = post(base + "/orders/" + id + "/book", null);
        gate().open.countDown();
        running.get(10, TimeUnit.SECONDS);
        HttpResponse<String> reuse = post(base + "/orders/" + id + "/car", null);
        HttpResponse<String> invalid = post(base + "/orders/ /book", null);

        assertProblem(inFlight, 409, "Conflict");
        assertThat(Long.parseLong(inFlight.headers().firstValue("Retry-After").orElseThrow()))
                .as("seconds until the running call's 30s lease ends")
                .isBetween(25L, 30L);
        assertProblem(reuse, 422, "Unprocessable Content");
        assertProblem(invalid, 400, "Bad Request");
        for (HttpResponse<String> response : List.of(inFlight, reuse, invalid)) {
            assertThat(JSON.readTree(response.body()).path("detail").asString())
                    .as("the key stays out of the detail")
                    .doesNotContain(id)
                    .doesNotContain("Orders")
                    .doesNotContain("#");
        }
    }

    @Test
    void aStoreThatCannotBeReachedIs503WithoutTheHostOrTheCause() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String base = start(
                App.class,
                "idempotency.store=redis",
                "spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=" + closedPort,
                "spring.data.redis.connect-timeout=500ms",
                "spring.data.redis.timeout=500ms");

        HttpResponse<String> down = post(base + "/orders/r-1/book", null);
        HttpResponse<String> downWithKey = post(base + "/orders/r-2/book", "key-1");

        assertProblem(down, 503, "Service Unavailable");
        assertProblem(downWithKey, 503, "Service Unavailable");
        for (HttpResponse<String> response : List.of(down, downWithKey)) {
            assertNoInternals(
                    response.body(),
                    "127.0.0.1",
                    "localhost",
                    Integer.toString(closedPort),
                    "Redis",
                    "Lettuce",
                    "Connection");
        }
    }

    @Test
    void aJdbcStoreWhoseTableIsGoneAnswers503WithNoSqlText() throws Exception {
        String table =
                "idem_gone_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = start(
                App.class,
                "idempotency.store=jdbc",
                "idempotency.jdbc.table-name=" + table,
                "idempotency.jdbc.initialize-schema=always",
                "spring.datasource.url=" + TestServers.postgresUrl(),
                "spring.datasource.username=" + TestServers.postgresUser(),
                "spring.datasource.password=" + TestServers.postgresPassword());
        contexts.get(0).getBean(JdbcTemplate.class).execute("DROP TABLE " + table);

        List<HttpResponse<String>> responses =
                List.of(post(base + "/orders/r-1/book", null), post(base + "/orders/r-2/book", "key-2"));

        for (HttpResponse<String> response : responses) {
            assertProblem(response, 503, "Service Unavailable");
            assertNoInternals(
                    response.body(),
                    table,
                    "relation",
                    "SELECT",
                    "INSERT",
                    "UPDATE",
                    "SQL",
                    "jdbc",
                    "postgres",
                    "127.0.0.1",
                    "5432");
        }
    }

    @Test
    void theApplicationsOwnExceptionHandlerStillWins() throws Exception {
        String base = start(AppWithItsOwnHandler.class);
        String id = "r-" + UUID.randomUUID();
        CompletableFuture<String> running = holdWhilePlacing(id);

        HttpResponse<String> inFlight = post(base + "/orders/" + id + "/book", null);
        gate().open.countDown();
        running.get(10, TimeUnit.SECONDS);
        HttpResponse<String> reuse = post(base + "/orders/" + id + "/car", null);

        assertThat(inFlight.statusCode()).isEqualTo(423);
        assertThat(inFlight.body()).contains("the application's own answer");
        assertProblem(reuse, 422, "Unprocessable Content");
    }

    @Test
    void thePropertyTurnsTheMappingOff() throws Exception {
        String base = start(App.class, "idempotency.http.problem-details.enabled=false");

        HttpResponse<String> invalid = post(base + "/orders/ /book", null);

        assertThat(invalid.statusCode()).isEqualTo(500);
        assertThat(contexts.get(0).getBeanNamesForType(dev.idempotent.web.IdempotencyProblemDetailsResolver.class))
                .isEmpty();
    }

    @Test
    void behindTheFilterTheConflictOfAnInnerMethodInFlightIsNeverStoredAndALaterRetryGetsTheOrder() throws Exception {
        String base = start(App.class);
        String id = "r-" + UUID.randomUUID();
        String key = "k-" + UUID.randomUUID();
        CompletableFuture<String> running = holdWhilePlacing(id);

        HttpResponse<String> conflict = post(base + "/orders/" + id + "/book", key);
        HttpResponse<String> conflictAgain = post(base + "/orders/" + id + "/book", key);
        gate().open.countDown();
        String placed = running.get(10, TimeUnit.SECONDS);
        HttpResponse<String> retry = post(base + "/orders/" + id + "/book", key);
        HttpResponse<String> replay = post(base + "/orders/" + id + "/book", key);

        assertProblem(conflict, 409, "Conflict");
        assertThat(conflictAgain.statusCode()).isEqualTo(409);
        assertThat(conflictAgain.headers().firstValue("Idempotent-Replayed"))
                .as("the 409 was not stored")
                .isEmpty();
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.body()).isEqualTo(placed);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(placed);
        assertThat(gate().placed).hasValue(1);
    }

    @Test
    void aStatusThatAnswersATransientStateIsSentButNotStoredAndTheListIsConfigurable() throws Exception {
        String base = start(App.class, "idempotency.http.unstored-statuses=429");
        HttpResponse<String> limited = post(base + "/status/429", "k-429");
        HttpResponse<String> limitedAgain = post(base + "/status/429", "k-429");
        HttpResponse<String> conflict = post(base + "/status/409", "k-409");
        HttpResponse<String> conflictAgain = post(base + "/status/409", "k-409");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limitedAgain.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflictAgain.headers().firstValue("Idempotent-Replayed"))
                .as("409 is stored once it is no longer in the list")
                .hasValue("true");
        assertThat(gate().statusCalls).hasValue(3);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String title) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("about:blank");
        assertThat(problem.path("title").asString()).isEqualTo(title);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asString()).isNotBlank();
        assertThat(problem.path("instance").asString()).startsWith("/orders/");
        assertNoInternals(response.body());
    }

    static void assertNoInternals(String body, String... alsoAbsent) {
        assertThat(body)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("dev.idempotent")
                .doesNotContain("java.")
                .doesNotContain("org.springframework");
        for (String text : alsoAbsent) {
            assertThat(body).doesNotContainIgnoringCase(text);
        }
    }

    private static HttpResponse<String> post(String url, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replace(" ", "%20")))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Gate.class, Orders.class, OrderController.class})
    static class App {}

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Gate.class, Orders.class, OrderController.class, OwnHandler.class})
    static class AppWithItsOwnHandler {}

    @RestController
    static class OrderController {

        private final Orders orders;

        private final Gate gate;

        OrderController(Orders orders, Gate gate) {
            this.orders = orders;
            this.gate = gate;
        }

        @PostMapping("/orders/{id}/{item}")
        Map<String, String> place(@PathVariable String id, @PathVariable String item) throws InterruptedException {
            return Map.of("order", orders.place(id.isBlank() ? null : id, item));
        }

        @PostMapping("/status/{status}")
        org.springframework.http.ResponseEntity<String> status(@PathVariable int status) {
            gate.statusCalls.incrementAndGet();
            return org.springframework.http.ResponseEntity.status(status).body("status " + status);
        }
    }

    /** The state the tests watch and steer; a plain bean, never proxied. */
    static class Gate {

        final AtomicInteger placed = new AtomicInteger();

        final AtomicInteger statusCalls = new AtomicInteger();

        volatile CountDownLatch open = new CountDownLatch(0);

        volatile CountDownLatch entered = new CountDownLatch(1);
    }

    public static class Orders {

        private final Gate gate;

        public Orders(Gate gate) {
            this.gate = gate;
        }

        @Idempotent(key = "#p0", fingerprint = "#p1", lease = "30s")
        public String place(String id, String item) throws InterruptedException {
            gate.entered.countDown();
            gate.open.await(30, TimeUnit.SECONDS);
            return id + "/" + item + "/" + gate.placed.incrementAndGet();
        }
    }

    /**
     * Starts {@code place(id, "book")} on another thread and returns once it holds the key; it completes
     * when the test counts {@code gate.open} down, with the JSON body the controller would answer.
     */
    private CompletableFuture<String> holdWhilePlacing(String id) throws InterruptedException {
        Orders orders = contexts.get(0).getBean(Orders.class);
        Gate gate = gate();
        gate.open = new CountDownLatch(1);
        gate.entered = new CountDownLatch(1);
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
            try {
                return JSON.writeValueAsString(Map.of("order", orders.place(id, "book")));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        return result;
    }

    private Gate gate() {
        return contexts.get(0).getBean(Gate.class);
    }

    @RestControllerAdvice
    static class OwnHandler {

        @ExceptionHandler(IdempotencyInFlightException.class)
        ProblemDetail inFlight(IdempotencyInFlightException e) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.LOCKED, "the application's own answer");
        }
    }
}
