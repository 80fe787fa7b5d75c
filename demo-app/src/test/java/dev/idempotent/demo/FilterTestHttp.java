package dev.idempotent.demo;

import static dev.idempotent.demo.IdempotencyKeyFilterTestConfiguration.RUN_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP to the test server, every request tagged with one test's {@code X-Test-Run}. */
final class FilterTestHttp {

    static final String KEY = "Idempotency-Key";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final int port;

    private final String run;

    private final String keyHeader;

    FilterTestHttp(int port, String run) {
        this(port, run, KEY);
    }

    FilterTestHttp(int port, String run, String keyHeader) {
        this.port = port;
        this.run = run;
        this.keyHeader = keyHeader;
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** A JSON request to {@code path} with the key header unless {@code idempotencyKey} is null. */
    HttpRequest.Builder request(String path, String idempotencyKey) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header(RUN_HEADER, run);
        return idempotencyKey == null ? builder : builder.header(keyHeader, idempotencyKey);
    }

    HttpResponse<byte[]> post(String path, String idempotencyKey, String body)
            throws IOException, InterruptedException {
        return send(request(path, idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    CompletableFuture<HttpResponse<byte[]>> postAsync(String path, String idempotencyKey) {
        return CLIENT.sendAsync(
                request(path, idempotencyKey)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Sends a POST with the extra header line {@code header} as UTF-8 bytes over a plain socket (java.net.http
     * writes header values as ASCII) and returns the raw answer.
     */
    String rawPost(String path, String header) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            String request = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + header + "\r\n" + RUN_HEADER + ": "
                    + run + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
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
