package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The command line on a real Redis ({@code IDEMPOTENCY_TEST_REDIS_HOST} / {@code _PORT}, default
 * 127.0.0.1:6379).
 */
class RedisStoreCliTests extends CliStoreTestSupport {

    static final String URL = "redis://"
            + Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_HOST"), "127.0.0.1") + ":"
            + Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_PORT"), "6379") + "/0";

    @Override
    protected String storeUrl() {
        return URL;
    }

    @Test
    void credentialsComeFromTheEnvironmentWhenTheUrlHasNoneAndAreNeverShown() {
        String user = "idempotent-cli-test";
        withRedisUser(user, "s3cret", () -> {
            Cli.Result withEnv = cli.env("IDEMPOTENT_STORE_USER", user)
                    .env("IDEMPOTENT_STORE_PASSWORD", "s3cret")
                    .run(concat(run(), "true"));
            Cli.Result wrong = cli.env("IDEMPOTENT_STORE_PASSWORD", "wrong").run(concat(run(), "true"));
            Cli.Result inUrl = new Cli(dir, URL.replace("redis://", "redis://" + user + ":wr0ng-in-url@"))
                    .env("IDEMPOTENT_STORE_USER", user)
                    .env("IDEMPOTENT_STORE_PASSWORD", "s3cret")
                    .run(concat(run(), "true"));

            assertThat(withEnv.exitCode()).as(withEnv.toString()).isZero();
            assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(69);
            assertThat(wrong.err()).contains("WRONGPASS").doesNotContain("wrong");
            // the URL's password wins, and is not shown
            assertThat(inUrl.exitCode()).as(inUrl.toString()).isEqualTo(69);
            assertThat(inUrl.err()).contains(user + ":***@").doesNotContain("wr0ng-in-url");
        });
    }

    @Test
    void aUserInTheUrlTakesThePasswordFromTheEnvironmentAndAUserAloneIsRefused() {
        String user = "idempotent-cli-test-2";
        withRedisUser(user, "s3cret", () -> {
            String withUser = URL.replace("redis://", "redis://" + user + ":@");
            Cli.Result urlUser = new Cli(dir, withUser)
                    .env("IDEMPOTENT_STORE_PASSWORD", "s3cret")
                    .run(concat(run(), "true"));
            Cli.Result wrongForUser = new Cli(dir, withUser)
                    .env("IDEMPOTENT_STORE_PASSWORD", "not-it")
                    .run(concat(run(), "true"));
            Cli.Result userAlone = cli.env("IDEMPOTENT_STORE_USER", user).run(concat(run(), "true"));
            Cli.Result unparsable =
                    new Cli(dir, URL.replace("redis://", "redis://" + user + ":se cret@")).run(concat(run(), "true"));
            // an @ in the query is not the end of a user name: the default user is used (it takes any password)
            key = key + "-query";
            Cli.Result atInQuery = new Cli(dir, URL + "?clientName=cli@test")
                    .env("IDEMPOTENT_STORE_PASSWORD", "s3cret")
                    .run(concat(run(), "true"));

            assertThat(urlUser.exitCode()).as(urlUser.toString()).isZero();
            // the user of the URL was used (Redis's default user takes any password here)
            assertThat(wrongForUser.exitCode()).as(wrongForUser.toString()).isEqualTo(69);
            assertThat(userAlone.exitCode()).as(userAlone.toString()).isEqualTo(64);
            assertThat(userAlone.err()).contains("IDEMPOTENT_STORE_USER is set but IDEMPOTENT_STORE_PASSWORD is not");
            assertThat(unparsable.exitCode()).as(unparsable.toString()).isEqualTo(64);
            assertThat(unparsable.err())
                    .contains("Invalid Redis URL 'redis://" + user + ":***@")
                    .doesNotContain("cret");
            assertThat(atInQuery.exitCode()).as(atInQuery.toString()).isZero();
        });
    }

    /** Runs {@code body} while Redis has an ACL user {@code user} with {@code password} and every permission. */
    private static void withRedisUser(String user, String password, Runnable body) {
        RedisClient client = RedisClient.create(RedisURI.create(URL));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection
                    .sync()
                    .aclSetuser(
                            user,
                            AclSetuserArgs.Builder.on()
                                    .addPassword(password)
                                    .allKeys()
                                    .allCommands());
            try {
                body.run();
            } finally {
                connection.sync().aclDeluser(user);
            }
        } finally {
            client.shutdown();
        }
    }
}
