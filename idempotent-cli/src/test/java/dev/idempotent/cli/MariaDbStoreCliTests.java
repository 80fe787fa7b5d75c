package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test on a real MariaDB ({@code IDEMPOTENCY_TEST_MARIADB_URL}, default
 * {@code jdbc:mariadb://127.0.0.1:3306/test}, user {@code IDEMPOTENCY_TEST_MARIADB_USER} or root): the
 * behaviour is the JDBC store's, covered in full on PostgreSQL.
 */
class MariaDbStoreCliTests {

    @org.junit.jupiter.api.AfterEach
    void killEverythingStarted() {
        Cli.killAll();
    }

    @TempDir
    Path dir;

    @Test
    void aCommandRunTwiceRunsOnceAndIsListed() {
        Cli cli = new Cli(
                        dir,
                        Objects.requireNonNullElse(
                                System.getenv("IDEMPOTENCY_TEST_MARIADB_URL"), "jdbc:mariadb://127.0.0.1:3306/test"))
                .env(
                        "IDEMPOTENT_STORE_USER",
                        Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_MARIADB_USER"), "root"))
                .env(
                        "IDEMPOTENT_STORE_PASSWORD",
                        Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_MARIADB_PASSWORD"), ""));
        String key = "test-" + UUID.randomUUID() + "-zürich";
        Path file = dir.resolve("runs.txt");
        String[] run = {"run", "--key", key, "--", "sh", "-c", "echo ran >> \"$1\"", "sh", file.toString()};

        Cli.Result first = cli.run(run);
        Cli.Result second = cli.run(run);
        Cli.Result list = cli.run("list", "--prefix", key);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.err()).startsWith("skipped: " + key + " already ran at ");
        assertThat(list.out().lines().toList()).hasSize(2);
        assertThat(list.out().lines().toList().get(1)).matches(java.util.regex.Pattern.quote(key) + " +done +0 +.*");
        assertThat(Cli.lines(file)).containsExactly("ran");
    }
}
