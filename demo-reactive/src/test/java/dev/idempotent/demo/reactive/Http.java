package dev.idempotent.demo.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP to a test server on Netty, every request tagged with one test's {@code X-Test-Run}. */
final class Http {

    static final String KEY = "Idempotency-Key";

    static final String RUN_HEADER = "X-Test-Run";

    static final String USER_HEADER = "X-Test-User";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final int port;

    private final String run;

    Http(int port, String run) {
        this.port = port;
        this.run = run;
    }

    HttpRequest.Builder request(String path, String idempotencyKey) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header(RUN_HEADER, run);
        return idempotencyKey == null ? builder : builder.header(KEY, idempotencyKey);
    }

    HttpResponse<byte[]> post(String path, String idempotencyKey, String body)
            throws IOException, InterruptedException {
        return send(request(path, idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    CompletableFuture<HttpResponse<byte[]>> postAsync(String path, String idempotencyKey, String body) {
        return CLIENT.sendAsync(
                request(path, idempotencyKey)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static boolean replayed(HttpResponse<byte[]> response) {
        return response.headers()
                .firstValue("Idempotent-Replayed")
                .filter("true"::equals)
                .isPresent();
    }

    /** An RFC 9457 problem with {@code status} whose detail contains {@code detail}, never a replay. */
    static void assertProblem(HttpResponse<byte[]> response, int status, String detail) {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).isNotEmpty();
        assertThat(problem.path("detail").asString()).contains(detail);
        assertThat(problem.path("instance").asString()).isEqualTo(response.uri().getPath());
        assertThat(replayed(response)).isFalse();
    }
}
