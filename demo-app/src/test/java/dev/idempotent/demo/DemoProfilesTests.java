package dev.idempotent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The demo starts on Redis or PostgreSQL with nothing but its profile (the README's one command each),
 * and an order placed there is found at its Location.
 */
class DemoProfilesTests {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static void placeAndFind(int port) throws Exception {
        String body = "{\"requestId\":\"" + UUID.randomUUID() + "\",\"item\":\"book\",\"quantity\":1}";
        HttpResponse<String> placed = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        String location = placed.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> found = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body()).isEqualTo(placed.body());
    }

    @Nested
    @SpringBootTest(
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {
                "REDIS_HOST=${IDEMPOTENCY_TEST_REDIS_HOST:127.0.0.1}",
                "REDIS_PORT=${IDEMPOTENCY_TEST_REDIS_PORT:6379}"
            })
    @ActiveProfiles("redis")
    class OnRedis {

        @LocalServerPort
        int port;

        @Autowired
        IdempotencyStore store;

        @Test
        void theRedisProfileKeepsTheRecordsInRedis() throws Exception {
            assertThat(store).isInstanceOf(RedisIdempotencyStore.class);
            placeAndFind(port);
        }
    }

    @Nested
    @SpringBootTest(
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "POSTGRES_URL=${IDEMPOTENCY_TEST_POSTGRES_URL:jdbc:postgresql://127.0.0.1:5432/test}")
    @ActiveProfiles("postgres")
    class OnPostgres {

        @LocalServerPort
        int port;

        @Autowired
        IdempotencyStore store;

        @Test
        void thePostgresProfileCreatesItsTableAndKeepsTheRecordsInPostgres() throws Exception {
            assertThat(store).isInstanceOf(JdbcIdempotencyStore.class);
            placeAndFind(port);
        }
    }
}
