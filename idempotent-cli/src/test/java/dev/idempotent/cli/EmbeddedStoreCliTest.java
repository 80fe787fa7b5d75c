package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command line on its default store: an embedded H2 file in $HOME/.idempotent, shared by processes. */
class EmbeddedStoreCliTest extends CliStoreTestSupport {

    @Override
    protected String storeUrl() {
        return null;
    }

    @Test
    void theDefaultStoreIsAFileInTheHomeFolder() {
        Cli.Result result = cli.run(concat(run(), "true"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.exists(dir.resolve("home/.idempotent/store.mv.db"))).isTrue();
    }

    @Test
    void aLongKeyIsHashedInTheStoreAndTheCommandSeesItsKey() {
        Path file = dir.resolve("keys.txt");
        key = key + "-" + "k".repeat(400);

        Cli.Result first = cli.run(concat(run(), sh("echo \"$IDEMPOTENT_KEY\" >> \"$1\"", file)));
        Cli.Result status = cli.run("status", "--json", key);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(Cli.lines(file)).containsExactly(key);
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("\"storeKey\" : \"run:#sha256:").contains("\"key\" : \"" + key + "\"");
    }

    @Test
    void aWaitThatTimesOutExits75() throws Exception {
        Path file = dir.resolve("runs.txt");
        String[] command = sh(untilStopped("ran"), file);
        Cli.Started running = cli.start(concat(run(), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));

        Cli.Result timedOut = cli.run(concat(run("--wait-timeout", "1s"), command));
        stop(file);
        Cli.Result first = running.await(Duration.ofSeconds(60));

        assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(75);
        assertThat(timedOut.err()).startsWith("idempotent: " + key + " is running since ")
                .contains("still after waiting 1s");
        assertThat(first.exitCode()).isZero();
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    @Test
    void argumentsStartingWithAnAtSignAreNotReadAsArgumentFiles() throws Exception {
        Path body = Files.writeString(dir.resolve("body.json"), "{}");
        Path file = dir.resolve("args.txt");

        Cli.Result result = cli.run(concat(run(), "sh", "-c", "echo \"$2\" >> \"$1\"", "sh", file.toString(), "@" + body));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Cli.lines(file)).containsExactly("@" + body);
    }

    @Test
    void rememberedFailuresAreReplayedWithTheirExitCodeUntilForgotten() {
        Path file = dir.resolve("runs.txt");
        String[] failing = sh("echo attempt >> \"$1\"; exit 3", file);

        Cli.Result failed = cli.run(concat(run("--remember-failures"), failing));
        Cli.Started replaying = cli.start(concat(run(), failing));
        Cli.Result status = cli.run("status", key);
        Cli.Result replayed = replaying.await(Duration.ofSeconds(60));
        Cli.Result forgot = cli.run("forget", key);
        Cli.Result retried = cli.run(concat(run(), failing));

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);
        assertThat(replayed.exitCode()).as(replayed.toString()).isEqualTo(3);
        assertThat(replayed.err()).startsWith("skipped: " + key + " already ran at ").contains("(exit 3, ");
        assertThat(status.out()).startsWith(key + ": failed\n").contains("  exit code:  3\n");
        assertThat(forgot.out()).startsWith("forgot " + key);
        assertThat(retried.exitCode()).isEqualTo(3);
        assertThat(Cli.lines(file)).containsExactly("attempt", "attempt");
    }
}
