package dev.idempotent.demo.reactive;

import static dev.idempotent.demo.reactive.Http.assertProblem;
import static dev.idempotent.demo.reactive.Http.replayed;
import static dev.idempotent.demo.reactive.Http.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.demo.reactive.KeyFilterTestConfiguration.Endpoints;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The WebFlux {@code Idempotency-Key} filter over real HTTP on Netty, rule by rule as the servlet filter's
 * tests check them (demo-app's AbstractIdempotencyKeyFilterIntegrationTests), on the embedded store.
 */
@SpringBootTest(
        classes = {ReactiveDemoApplication.class, KeyFilterTestConfiguration.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "idempotency.http.required-paths=/test/required/**,/payments",
            "idempotency.http.max-response-size=4KB",
            "idempotency.http.max-request-size=8KB",
            "logging.level.dev.idempotent.web=DEBUG"
        })
class IdempotencyKeyWebFilterTests {

    @LocalServerPort
    int port;

    @Autowired
    Endpoints endpoints;

    @Autowired
    KeyFilterTestConfiguration.StoreThreads storeThreads;

    private final String run = UUID.randomUUID().toString();

    private final String key = "key-" + UUID.randomUUID();

    private Http http;

    @BeforeEach
    void connect() {
        http = new Http(port, run);
    }

    @Test
    void firstRequestRunsAndARepeatIsReplayedByteForByteWithoutReachingTheHandler() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{\"a\":1}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{\"a\":1}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(replayed(first)).isFalse();
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(replayed(second)).isTrue();
        assertThat(second.body()).isEqualTo(first.body());
        for (String header : List.of("Location", "ETag", "Content-Type", "X-Custom", "X-Multi")) {
            assertThat(second.headers().allValues(header))
                    .as(header)
                    .isNotEmpty()
                    .isEqualTo(first.headers().allValues(header));
        }
        assertThat(first.headers().allValues("X-Multi")).containsExactly("one", "two");
        assertThat(text(first)).contains("\"received\":\"7 chars\"");
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void setCookieIsSentOnceButNeverReplayed() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/echo", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/echo", key, "{}");

        assertThat(first.headers().allValues("Set-Cookie")).hasSize(1);
        assertThat(replayed(second)).isTrue();
        assertThat(second.headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    void quotedSfStringAndBareValueAreTheSameKey() throws Exception {
        http.post("/test/echo", key, "{}");
        HttpResponse<byte[]> quoted = http.post("/test/echo", "\"" + key + "\"", "{}");

        assertThat(replayed(quoted)).isTrue();
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void requestsWithoutAKeyAreNotProtected() throws Exception {
        http.post("/test/echo", null, "{}");
        http.post("/test/echo", null, "{}");

        assertThat(endpoints.runs(run)).isEqualTo(2);
    }

    @Test
    void theSameKeyWithAnotherBodyPathOrQueryIsUnprocessable() throws Exception {
        http.post("/test/echo", key, "{\"a\":1}");

        assertProblem(http.post("/test/echo", key, "{\"a\":2}"), 422, "was already used for a different request");
        assertProblem(http.post("/test/echo?x=1", key, "{\"a\":1}"), 422, "was already used for a different request");
        assertProblem(http.post("/test/status/201", key, "{\"a\":1}"), 422, "was already used for a different request");
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void formPostsAreFingerprintedByTheirParametersAndStillReachTheHandler() throws Exception {
        HttpResponse<byte[]> first = http.send(http.request("/test/form", key)
                .setHeader("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("b=2&a=1")));
        HttpResponse<byte[]> sameParameters = http.send(http.request("/test/form", key)
                .setHeader("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("b=%32&a=1")));

        assertThat(text(first)).contains("form 1").contains("a=[1]").contains("b=[2]");
        assertThat(replayed(sameParameters)).isTrue();
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void multipartUploadsAreFingerprintedByTheirPartsAndStillReachTheHandler() throws Exception {
        HttpResponse<byte[]> first = http.send(multipart("boundary-one", "hello"));
        HttpResponse<byte[]> sameParts = http.send(multipart("boundary-two", "hello"));
        HttpResponse<byte[]> otherContent = http.send(multipart("boundary-three", "bye"));

        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        assertThat(text(first)).isEqualTo("upload 1 a.txt hello");
        assertThat(replayed(sameParts)).isTrue();
        assertProblem(otherContent, 422, "was already used for a different request");
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    private HttpRequest.Builder multipart(String boundary, String content) {
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
        return http.request("/test/upload", key)
                .setHeader("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void aRepeatWhileTheFirstRunsIsAConflictWithRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> first = http.postAsync("/test/held", key, "{}");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (endpoints.runs(run) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        HttpResponse<byte[]> repeat = http.post("/test/held", key, "{}");

        assertProblem(repeat, 409, "is still being processed");
        assertThat(repeat.headers().firstValue("Retry-After")).hasValue("1");
        endpoints.gate(run).tryEmitValue("done");
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(text(first.get())).isEqualTo("done");
        assertThat(replayed(http.post("/test/held", key, "{}"))).isTrue();
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void sixtyFourConcurrentRequestsOnOneKeyRunTheHandlerOnce() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            responses.add(http.postAsync("/test/slow", key, "{}"));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<byte[]>> response : responses) {
            HttpResponse<byte[]> answer = response.get();
            assertThat(answer.statusCode()).as(text(answer)).isIn(200, 409);
            if (answer.statusCode() == 200) {
                ok++;
                assertThat(text(answer)).isEqualTo("slow 1");
            }
        }
        assertThat(ok).isPositive();
        assertThat(endpoints.runs(run)).isEqualTo(1);
        assertThat(text(http.post("/test/slow", key, "{}"))).isEqualTo("slow 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"unterminated", "\"a\"b\"", "has space"})
    void invalidKeysAreBadRequestsBeforeAnythingRuns(String invalid) throws Exception {
        assertProblem(http.post("/test/echo", invalid, "{}"), 400, "Idempotency-Key");
        assertThat(endpoints.runs(run)).isZero();
    }

    @Test
    void keysLongerThan255CharactersAreBadRequests() throws Exception {
        assertProblem(http.post("/test/echo", "k".repeat(256), "{}"), 400, "at most 255");
    }

    @Test
    void theHeaderSentTwiceWithDifferentValuesIsABadRequest() throws Exception {
        HttpResponse<byte[]> response = http.send(http.request("/test/echo", key)
                .header(Http.KEY, key + "-other")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertProblem(response, 400, "with different values");
    }

    @Test
    void aRequiredPathWithoutAKeyIsABadRequest() throws Exception {
        assertProblem(http.post("/test/required/x", null, "{}"), 400, "requires an Idempotency-Key header");
        assertProblem(
                http.post("/payments", null, "{\"paymentId\":\"p\",\"amountCents\":1}"),
                400,
                "requires an Idempotency-Key header");
    }

    @Test
    void anAnnotatedHandlerWithoutAKeyIsABadRequestAndWithOneRunsOnce() throws Exception {
        assertProblem(http.post("/test/annotated", null, "{}"), 400, "requires an Idempotency-Key header");
        assertThat(endpoints.runs(run)).isZero();

        http.post("/test/annotated", key, "{}");
        assertThat(replayed(http.post("/test/annotated", key, "{}"))).isTrue();
        assertThat(endpoints.runs(run)).isEqualTo(1);
        // a handler without the annotation still needs no key
        assertThat(http.post("/test/echo", null, "{}").statusCode()).isEqualTo(201);
    }

    @Test
    void aRequestBodyOverTheLimitIsRefusedBeforeTheStoreAndTheHandler() throws Exception {
        assertProblem(http.post("/test/echo", key, "x".repeat(9 * 1024)), 413, "max-request-size");
        assertThat(endpoints.runs(run)).isZero();
    }

    @Test
    void twoPrincipalsWithTheSameKeyNeverSeeEachOthersResponse() throws Exception {
        HttpResponse<byte[]> alice = http.send(http.request("/test/echo", key)
                .header(Http.USER_HEADER, "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<byte[]> bob = http.send(http.request("/test/echo", key)
                .header(Http.USER_HEADER, "bob")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<byte[]> aliceAgain = http.send(http.request("/test/echo", key)
                .header(Http.USER_HEADER, "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(replayed(bob)).isFalse();
        assertThat(text(bob)).isNotEqualTo(text(alice));
        assertThat(replayed(aliceAgain)).isTrue();
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(endpoints.runs(run)).isEqualTo(2);
    }

    @Test
    void clientErrorsAreStoredAndReplayed() throws Exception {
        http.post("/test/status/404", key, "{}");
        HttpResponse<byte[]> repeat = http.post("/test/status/404", key, "{}");

        assertThat(repeat.statusCode()).isEqualTo(404);
        assertThat(replayed(repeat)).isTrue();
        assertThat(endpoints.runs(run)).isEqualTo(1);
    }

    @Test
    void serverErrorsAndTransientStatusesAreNotStoredSoARetryRunsAgain() throws Exception {
        http.post("/test/status/503", key, "{}");
        HttpResponse<byte[]> retry = http.post("/test/status/503", key, "{}");
        String other = key + "-429";
        http.post("/test/status/429", other, "{}");
        HttpResponse<byte[]> retry429 = http.post("/test/status/429", other, "{}");

        assertThat(replayed(retry)).isFalse();
        assertThat(replayed(retry429)).isFalse();
        assertThat(endpoints.runs(run)).isEqualTo(4);
    }

    @Test
    void errorsAreNotStoredSoARetryRunsAgain() throws Exception {
        assertThat(http.post("/test/fail", key, "{}").statusCode()).isEqualTo(500);
        assertThat(http.post("/test/fail", key, "{}").statusCode()).isEqualTo(500);

        assertThat(endpoints.runs(run)).isEqualTo(2);
    }

    @Test
    void responsesOverTheSizeLimitAreDeliveredWholeButNotStored() throws Exception {
        HttpResponse<byte[]> first = http.post("/test/large/5000", key, "{}");
        HttpResponse<byte[]> second = http.post("/test/large/5000", key, "{}");
        HttpResponse<byte[]> small = http.post("/test/large/4000", key + "-small", "{}");
        HttpResponse<byte[]> smallAgain = http.post("/test/large/4000", key + "-small", "{}");

        assertThat(first.body()).hasSize(5000);
        assertThat(replayed(second)).isFalse();
        assertThat(second.body()).hasSize(5000);
        assertThat(replayed(smallAgain)).isTrue();
        assertThat(smallAgain.body()).isEqualTo(small.body());
        assertThat(endpoints.runs(run)).isEqualTo(3);
    }

    @Test
    void aChargeAndARefundPlanWithTheHeaderAndWithoutIt() throws Exception {
        String body = "{\"paymentId\":\"" + key + "\",\"amountCents\":1200}";
        HttpResponse<byte[]> charged = http.post("/payments", key, body);
        HttpResponse<byte[]> again = http.post("/payments", key, body);
        HttpResponse<byte[]> refunds = http.post("/payments/" + key + "/refunds?amountCents=1200&parts=3", null, "");
        HttpResponse<byte[]> refundsAgain =
                http.post("/payments/" + key + "/refunds?amountCents=1200&parts=3", null, "");

        assertThat(charged.statusCode()).isEqualTo(201);
        assertThat(replayed(again)).isTrue();
        assertThat(again.body()).isEqualTo(charged.body());
        assertThat(refunds.statusCode()).isEqualTo(200);
        assertThat(refundsAgain.body()).isEqualTo(refunds.body());
        assertThat(text(refunds)).contains("re_");
    }

    @Test
    void theEmbeddedStoreIsCalledInPlaceOnTheEventLoopWithoutBlockingIt() throws Exception {
        http.post("/test/echo", key, "{}");

        // Caffeine answers from memory, so its steps run where the request is; nothing waits on them
        assertThat(storeThreads.seen())
                .isNotEmpty()
                .anySatisfy(step -> assertThat(step).startsWith("caffeine"));
    }
}
