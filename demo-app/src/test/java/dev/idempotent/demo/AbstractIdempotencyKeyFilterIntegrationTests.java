package dev.idempotent.demo;

import static dev.idempotent.demo.FilterTestHttp.KEY;
import static dev.idempotent.demo.FilterTestHttp.assertProblem;
import static dev.idempotent.demo.FilterTestHttp.replayed;
import static dev.idempotent.demo.FilterTestHttp.text;
import static dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.RUN_HEADER;
import static dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.USER_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.Executions;
import dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.Gates;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Idempotency-Key filter over real HTTP against the demo application. The store is the only thing a
 * subclass changes (the embedded Caffeine store, Redis, JDBC): every rule of the filter is checked here.
 */
@SpringBootTest(
        classes = {DemoApplication.class, IdempotencyKeyFilterTestConfiguration.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "idempotency.http.required-paths=/test/required-path/**",
            "idempotency.http.max-response-size=4KB",
            "idempotency.http.max-request-size=8KB",
            "logging.level.dev.idempotent.web=DEBUG"
        })
public abstract class AbstractIdempotencyKeyFilterIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private Executions executions;

    @Autowired
    private Gates gates;

    @Autowired
    private OrderService orders;

    @Autowired
    private IdempotencyStore store;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Names this test's executions and gates; a fresh value per test method. */
    private final String run = UUID.randomUUID().toString();

    private final String key = "key-" + UUID.randomUUID();

    private FilterTestHttp http;

    @BeforeEach
    void connect() {
        http = new FilterTestHttp(port, run);
    }

    // ---- first request, replay ----

    @Test
    void firstRequestRunsAndARepeatIsReplayedByteForByteWithoutReachingTheController() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{\"a\":1}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{\"a\":1}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        for (String header : List.of("Location", "ETag", "Content-Type", "X-Custom", "X-Multi", "Cache-Control")) {
            assertThat(second.headers().allValues(header))
                    .as(header)
                    .isNotEmpty()
                    .isEqualTo(first.headers().allValues(header));
        }
        assertThat(first.headers().allValues("X-Multi")).containsExactly("one", "two");
        assertThat(text(first)).contains("\"received\":\"7 chars\"");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void anAsynchronousResponseReachesTheClientWhole() throws Exception {
        HttpResponse<byte[]> response = http.post("/test/async", key, "{}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/test/async/1");
        assertThat(text(response)).isEqualTo("made later");
    }

    @Test
    void setCookieIsSentOnceButNeverReplayed() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{}");

        assertThat(first.headers().allValues("Set-Cookie")).hasSize(1);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    void sensitiveHeadersPlantedInAStoredResponseAreNeverReplayed() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{}");
        String storeKey = "http:-:" + key;
        IdempotencyRecord stored = store.find(storeKey).orElseThrow();
        ObjectNode payload = (ObjectNode) JSON.readTree(stored.payload());
        ArrayNode headers = (ArrayNode) payload.path("value").path("headers");
        for (String[] header : new String[][] {
            {"Set-Cookie", "session=attacker-fixed"},
            {"set-cookie2", "x=1"},
            {"Authorization", "Bearer stolen"},
            {"WWW-Authenticate", "Basic"},
            {"Proxy-Authenticate", "Basic"},
            {"Connection", "close"},
            {"Transfer-Encoding", "chunked"},
            {"Content-Length", "1"},
            {"Idempotent-Replayed", "false"}
        }) {
            headers.addArray().add(header[0]).add(header[1]);
        }
        assertThat(store.delete(storeKey)).isTrue();
        String token = UUID.randomUUID().toString();
        assertThat(store.claim(storeKey, stored.fingerprint(), token, Duration.ofMinutes(1))
                        .isAcquired())
                .isTrue();
        assertThat(store.complete(storeKey, token, JSON.writeValueAsBytes(payload), Duration.ofHours(1)))
                .isTrue();

        HttpResponse<byte[]> replay = http.post("/test/echo", key, "{}");

        assertThat(replay.headers().allValues("Idempotent-Replayed")).containsExactly("true");
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(replay.headers().firstValue("X-Custom"))
                .isEqualTo(first.headers().firstValue("X-Custom"));
        for (String header : List.of(
                "Set-Cookie",
                "Set-Cookie2",
                "Authorization",
                "WWW-Authenticate",
                "Proxy-Authenticate",
                "Transfer-Encoding")) {
            assertThat(replay.headers().allValues(header)).as(header).isEmpty();
        }
        assertThat(replay.headers().allValues("Connection")).doesNotContain("close");
        assertThat(replay.headers().firstValue("Content-Length")).hasValue(Integer.toString(first.body().length));
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void quotedSfStringAndBareValueAreTheSameKey() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", "\"" + key + "\"", "{}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{}");

        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void requestsWithoutAKeyAreNotProtected() throws Exception {
        assertThat(http.post("/test/echo", null, "{}").statusCode()).isEqualTo(201);
        assertThat(http.post("/test/echo", null, "{}").statusCode()).isEqualTo(201);
        assertThat(executions.of(run)).isEqualTo(2);
    }

    @Test
    void methodsThatAreNotConfiguredIgnoreTheKey() throws Exception {
        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(http.uri("/orders"))
                .GET()
                .header(KEY, "")
                .header(RUN_HEADER, run));
        assertThat(get.statusCode()).isEqualTo(200);
    }

    @Test
    void formPostsAreFingerprintedByTheirParametersAndStillReachTheController() throws Exception {
        HttpResponse<byte[]> first = http.send(form("item=book&quantity=2"));
        HttpResponse<byte[]> second = http.send(form("item=book&quantity=2"));
        HttpResponse<byte[]> other = http.send(form("item=book&quantity=3"));

        assertThat(text(first)).startsWith("book x2 ");
        assertThat(replayed(second)).isTrue();
        assertThat(second.body()).isEqualTo(first.body());
        assertProblem(other, 422, "already used for a different request");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void multipartUploadsAreFingerprintedByTheirPartsAndStillReachTheController() throws Exception {
        HttpResponse<byte[]> first = http.send(upload("hello"));
        HttpResponse<byte[]> second = http.send(upload("hello"));
        HttpResponse<byte[]> other = http.send(upload("hello!"));

        assertThat(text(first)).startsWith("a.txt 5 bytes ");
        assertThat(replayed(second)).isTrue();
        assertThat(second.body()).isEqualTo(first.body());
        assertProblem(other, 422, "already used for a different request");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    private HttpRequest.Builder form(String body) {
        return http.request("/test/form", key)
                .setHeader("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder upload(String content) {
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
        return http.request("/test/upload", key)
                .setHeader("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    // ---- key reuse ----

    @Test
    void sameKeyWithAnotherBodyIsUnprocessable() throws Exception {
        http.post("/test/echo", key, "{\"amount\":1}");
        HttpResponse<byte[]> other = http.post("/test/echo", key, "{\"amount\":2}");

        assertProblem(other, 422, "already used for a different request");
        assertThat(text(other)).contains("\"title\":\"Unprocessable Content\"");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void sameKeyOnAnotherPathIsUnprocessable() throws Exception {
        http.post("/test/status/200", key, "{}");
        HttpResponse<byte[]> other = http.post("/test/status/201", key, "{}");

        assertProblem(other, 422, "already used for a different request");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void sameKeyWithAnotherQueryIsUnprocessable() throws Exception {
        http.post("/test/big?size=10", key, "{}");
        HttpResponse<byte[]> other = http.post("/test/big?size=11", key, "{}");

        assertProblem(other, 422, "already used for a different request");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void sameKeyWithAnotherMethodIsUnprocessable() throws Exception {
        http.post("/test/echo", key, "{}");
        HttpResponse<byte[]> patch =
                http.send(http.request("/test/echo", key).method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));

        assertProblem(patch, 422, "already used for a different request");
        assertThat(executions.of(run)).isEqualTo(1);
    }

    // ---- in flight ----

    @Test
    void repeatWhileTheFirstIsRunningIsAConflictWithRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> first = http.postAsync("/test/slow", key);
        assertThat(gates.entered(run).await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<byte[]> repeat = http.post("/test/slow", key, "{}");
        assertProblem(repeat, 409, "still being processed");
        assertThat(repeat.headers().firstValue("Retry-After")).hasValue("1");

        gates.released(run).countDown();
        HttpResponse<byte[]> done = first.get(10, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> after = http.post("/test/slow", key, "{}");
        assertThat(after.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(after.body()).isEqualTo(done.body());
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void sixteenConcurrentDuplicatesReachTheControllerExactlyOnce() throws Exception {
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            responses.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            start.await();
                            HttpResponse<byte[]> response = http.post("/test/slow", key, "{\"same\":true}");
                            answered.incrementAndGet();
                            return response;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    command -> new Thread(command).start()));
        }
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answered.get() < threads - 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        gates.released(run).countDown();

        int executed = 0;
        int conflicts = 0;
        int replays = 0;
        for (CompletableFuture<HttpResponse<byte[]>> future : responses) {
            HttpResponse<byte[]> response = future.get(20, TimeUnit.SECONDS);
            if (response.statusCode() == 409) {
                conflicts++;
            } else if (response.headers().firstValue("Idempotent-Replayed").isPresent()) {
                replays++;
            } else {
                assertThat(response.statusCode()).isEqualTo(201);
                executed++;
            }
        }
        assertThat(executed).isEqualTo(1);
        assertThat(conflicts + replays).isEqualTo(threads - 1);
        assertThat(executions.of(run)).isEqualTo(1);
    }

    // ---- key validation and required keys ----

    @ParameterizedTest
    @ValueSource(strings = {"", "\"\"", "two words", "\"unterminated", "\"a\"b", "\"a\\b\""})
    void invalidKeysAreBadRequestsBeforeAnythingRuns(String invalid) throws Exception {
        HttpResponse<byte[]> response = http.post("/test/echo", invalid, "{}");

        assertProblem(response, 400, "Idempotency-Key header");
        assertThat(executions.of(run)).isZero();
    }

    @Test
    void nonAsciiKeysAreBadRequests() throws Exception {
        // java.net.http writes header values as ASCII, so the UTF-8 bytes go over a plain socket.
        String raw = http.rawPost("/test/echo", "Idempotency-Key: caf\u00e9-\u20ac");

        assertThat(raw)
                .startsWith("HTTP/1.1 400")
                .contains("application/problem+json")
                .contains("outside visible ASCII");
        assertThat(executions.of(run)).isZero();
    }

    @Test
    void aRequestBodyOverTheLimitIsRefusedBeforeTheStoreAndTheController() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(9 * 1024) + "\"}";
        assertProblem(http.post("/test/echo", key, big), 413, "max-request-size");
        assertThat(executions.of(run)).isZero();
        assertThat(http.post("/test/echo", key, "{}").statusCode()).isEqualTo(201);
    }

    @Test
    void keysLongerThan255CharactersAreBadRequests() throws Exception {
        // unique per run: the Redis and JDBC stores remember keys across test runs
        String longest = (key + "k".repeat(255)).substring(0, 255);
        assertProblem(http.post("/test/echo", longest + "k", "{}"), 400, "at most 255");
        assertThat(http.post("/test/echo", longest, "{}").statusCode()).isEqualTo(201);
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void headerSentTwiceWithDifferentValuesIsABadRequest() throws Exception {
        HttpResponse<byte[]> response = http.send(http.request("/test/echo", key)
                .header(KEY, key + "-other")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertProblem(response, 400, "different values");
        assertThat(executions.of(run)).isZero();
    }

    @Test
    void headerSentTwiceWithTheSameValueIsOneKey() throws Exception {
        HttpResponse<byte[]> response = http.send(http.request("/test/echo", key)
                .header(KEY, "\"" + key + "\"")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(http.post("/test/echo", key, "{}").headers().firstValue("Idempotent-Replayed"))
                .hasValue("true");
    }

    @Test
    void annotatedEndpointWithoutAKeyIsABadRequest() throws Exception {
        assertProblem(http.post("/test/required", null, "{}"), 400, "requires an Idempotency-Key header");
        assertThat(executions.of(run)).isZero();
        assertThat(http.post("/test/required", key, "{}").statusCode()).isEqualTo(200);
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void configuredRequiredPathWithoutAKeyIsABadRequest() throws Exception {
        assertProblem(http.post("/test/required-path/x", null, "{}"), 400, "requires an Idempotency-Key header");
        assertThat(executions.of(run)).isZero();
        assertThat(http.post("/test/required-path/x", key, "{}").statusCode()).isEqualTo(200);
    }

    // ---- scopes ----

    @Test
    void twoPrincipalsWithTheSameKeyNeverSeeEachOthersResponse() throws Exception {
        HttpResponse<byte[]> alice = http.send(http.request("/test/whoami", key)
                .header(USER_HEADER, "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<byte[]> bob = http.send(http.request("/test/whoami", key)
                .header(USER_HEADER, "bob")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<byte[]> aliceAgain = http.send(http.request("/test/whoami", key)
                .header(USER_HEADER, "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<byte[]> anonymous = http.post("/test/whoami", key, "{}");

        assertThat(text(alice)).startsWith("alice ");
        assertThat(text(bob)).startsWith("bob ");
        assertThat(bob.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(aliceAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(text(anonymous)).startsWith("anonymous ");
        assertThat(executions.of(run)).isEqualTo(3);
    }

    // ---- what is stored ----

    @Test
    void clientErrorsAreStoredAndReplayed() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/status/402", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/status/402", key, "{}");

        assertThat(first.statusCode()).isEqualTo(402);
        assertThat(second.statusCode()).isEqualTo(402);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void serverErrorsAreNotStoredSoARetryRunsAgain() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/status/503", key, "{}");
        HttpResponse<byte[]> retry = http.post("/test/status/503", key, "{}");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(retry.statusCode()).isEqualTo(503);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.body()).isNotEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(2);
    }

    @Test
    void uncaughtExceptionsAreNotStoredSoARetryRunsAgain() throws Exception {
        assertThat(http.post("/test/throw", key, "{}").statusCode()).isEqualTo(500);
        assertThat(http.post("/test/throw", key, "{}").statusCode()).isEqualTo(500);
        assertThat(executions.of(run)).isEqualTo(2);
    }

    @Test
    void responsesUpToTheSizeLimitAreStored() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/big?size=4096", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/big?size=4096", key, "{}");

        assertThat(first.body()).hasSize(4096);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(executions.of(run)).isEqualTo(1);
    }

    @Test
    void responsesOverTheSizeLimitAreDeliveredButNotStored() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/big?size=100000", key, "{}");
        HttpResponse<byte[]> retry = http.post("/test/big?size=100000", key, "{}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).hasSize(100_000);
        assertThat(retry.body()).hasSize(100_000).isNotEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions.of(run)).isEqualTo(2);
    }

    // ---- the demo's endpoints ----

    @Test
    void placingAnOrderTwiceWithTheSameKeyReplaysIt() throws Exception {
        long before = orders.executions();
        String body = "{\"requestId\":\"" + UUID.randomUUID() + "\",\"item\":\"book\",\"quantity\":1}";
        HttpResponse<byte[]> first = http.post("/orders", key, body);
        HttpResponse<byte[]> second = http.post("/orders", key, body);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).startsWith("/orders/"));
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.headers().firstValue("Location"))
                .isEqualTo(first.headers().firstValue("Location"));
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(orders.executions()).isEqualTo(before + 1);
    }

    @Test
    void aDeclinedPaymentIsReplayedAsTheSameProblem() throws Exception {
        String body = "{\"paymentId\":\"" + UUID.randomUUID() + "\",\"amountCents\":" + (PaymentService.LIMIT_CENTS + 1)
                + "}";
        HttpResponse<byte[]> first = http.post("/payments", key, body);
        HttpResponse<byte[]> second = http.post("/payments", key, body);

        assertThat(first.statusCode()).isEqualTo(402);
        assertThat(second.statusCode()).isEqualTo(402);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
    }
}
