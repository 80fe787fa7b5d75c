package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The {@code Idempotency-Key} filter behind real Spring Security, over real HTTP: it runs after
 * authentication, so a request that is not (or no longer) authorized never gets a stored response, and
 * the authenticated user is part of the key, so one user never gets another's.
 */
@SpringBootTest(
        classes = IdempotencyKeyFilterSecurityTests.SecuredApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "idempotency.store=caffeine")
class IdempotencyKeyFilterSecurityTests {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;

    @Autowired
    Orders orders;

    @Autowired
    InMemoryUserDetailsManager users;

    @BeforeEach
    void reset() {
        orders.created.set(0);
    }

    @Test
    void theSameKeyFromTwoUsersRunsForEachAndReplaysToEachTheirOwn() throws Exception {
        HttpResponse<String> alice = post("alice", "a-secret", "shared-key", "{\"sku\":\"book\"}");
        HttpResponse<String> bob = post("bob", "b-secret", "shared-key", "{\"sku\":\"book\"}");
        HttpResponse<String> aliceAgain = post("alice", "a-secret", "shared-key", "{\"sku\":\"book\"}");
        HttpResponse<String> bobAgain = post("bob", "b-secret", "shared-key", "{\"sku\":\"book\"}");

        assertThat(alice.statusCode()).isEqualTo(201);
        assertThat(bob.statusCode()).isEqualTo(201);
        assertThat(alice.body()).contains("\"owner\":\"alice\"");
        assertThat(bob.body()).contains("\"owner\":\"bob\"");
        assertThat(aliceAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(bobAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bobAgain.body()).isEqualTo(bob.body());
        assertThat(orders.created).hasValue(2);
    }

    @Test
    void aRequestThatIsNotAuthenticatedIsRejectedBySecurityBeforeAnyReplay() throws Exception {
        HttpResponse<String> first = post("alice", "a-secret", "key-401", "{}");
        HttpResponse<String> anonymous = post(null, null, "key-401", "{}");
        HttpResponse<String> wrongPassword = post("alice", "guess", "key-401", "{}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(wrongPassword.body()).doesNotContain("owner");
        assertThat(orders.created).hasValue(1);
    }

    @Test
    void aUserWhoIsNoLongerAuthorizedNeverGetsTheStoredResponse() throws Exception {
        users.createUser(User.withUsername("carol")
                .password("{noop}c-secret")
                .roles("USER")
                .build());
        HttpResponse<String> first = post("carol", "c-secret", "key-revoked", "{}");
        users.deleteUser("carol");
        HttpResponse<String> afterRevocation = post("carol", "c-secret", "key-revoked", "{}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(afterRevocation.statusCode()).isEqualTo(401);
        assertThat(afterRevocation.body()).doesNotContain("carol");
        assertThat(afterRevocation.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    private HttpResponse<String> post(String user, String password, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Orders.class)
    static class SecuredApplication {

        @Bean
        SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .httpBasic(Customizer.withDefaults())
                    .csrf(AbstractHttpConfigurer::disable)
                    .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("alice")
                            .password("{noop}a-secret")
                            .roles("USER")
                            .build(),
                    User.withUsername("bob")
                            .password("{noop}b-secret")
                            .roles("USER")
                            .build());
        }
    }

    @RestController
    static class Orders {

        final AtomicInteger created = new AtomicInteger();

        @PostMapping("/orders")
        ResponseEntity<Map<String, Object>> create(@RequestBody String body, Principal principal) {
            int id = created.incrementAndGet();
            return ResponseEntity.status(201).body(Map.of("id", id, "owner", principal.getName()));
        }
    }
}
