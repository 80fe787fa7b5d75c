package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code idempotent} promises, with real processes on a real store: one small subclass per store
 * (PostgreSQL, Redis, the embedded default). Commands append lines to files, so every test counts
 * exactly how many times a command ran.
 */
abstract class CliStoreTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    Cli cli;

    /** Unique per test, so runs sharing a server never see each other's keys. */
    String key;

    final List<ProcessHandle> leftovers = new ArrayList<>();

    /** The store URL ({@code IDEMPOTENT_STORE}), or {@code null} for the embedded default. */
    protected abstract String storeUrl();

    /** Settings the store needs besides its URL (credentials). */
    protected void configure(Cli cli) {}

    @BeforeEach
    void setUp() {
        cli = new Cli(dir, storeUrl());
        configure(cli);
        key = "test-" + UUID.randomUUID();
    }

    @AfterEach
    void killLeftovers() {
        Cli.killAll();
        leftovers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** {@code sh -c SCRIPT sh FILE}: the script sees the file as $1. */
    static String[] sh(String script, Path file) {
        return new String[] {"sh", "-c", script, "sh", file.toString()};
    }

    static String[] concat(String[] options, String... command) {
        String[] all = new String[options.length + 1 + command.length];
        System.arraycopy(options, 0, all, 0, options.length);
        all[options.length] = "--";
        System.arraycopy(command, 0, all, options.length + 1, command.length);
        return all;
    }

    /** A script that appends a line to $1, then runs until the file $1.stop exists. */
    static String untilStopped(String line) {
        return "echo " + line + " >> \"$1\"; while [ ! -f \"$1.stop\" ]; do sleep 0.05; done";
    }

    static void stop(Path file) throws IOException {
        Files.createFile(Path.of(file + ".stop"));
    }

    String[] run(String... options) {
        String[] all = new String[options.length + 3];
        all[0] = "run";
        all[1] = "--key";
        all[2] = key;
        System.arraycopy(options, 0, all, 3, options.length);
        return all;
    }

    @Test
    void aCommandRunTwiceRunsOnceAndTheRepeatSaysWhatAlreadyRan() {
        Path file = dir.resolve("runs.txt");
        String[] command = sh("echo ran >> \"$1\"; echo to-stdout; echo to-stderr >&2", file);

        Cli.Result first = cli.run(concat(run(), command));
        Cli.Result second = cli.run(concat(run(), command));

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).isEqualTo("to-stdout\n");
        assertThat(first.err()).isEqualTo("to-stderr\n");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).isEmpty();
        assertThat(second.err())
                .matches(
                        "skipped: " + key
                                + " already ran at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ on \\S+ \\(exit 0, [0-9.]+ s\\)\n");
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    @Test
    void twoRunsStartedAtOnceRunTheCommandOnceAndTheOtherWaitsAndSkips() {
        Path file = dir.resolve("runs.txt");
        String[] command = sh("echo ran >> \"$1\"; sleep 2", file);

        Cli.Started a = cli.start(concat(run(), command));
        Cli.Started b = cli.start(concat(run(), command));
        Cli.Result resultA = a.await(Duration.ofSeconds(60));
        Cli.Result resultB = b.await(Duration.ofSeconds(60));

        assertThat(Cli.lines(file)).containsExactly("ran");
        assertThat(resultA.exitCode()).as(resultA.toString()).isZero();
        assertThat(resultB.exitCode()).as(resultB.toString()).isZero();
        assertThat(List.of(resultA.err(), resultB.err()))
                .as(resultA + "\n" + resultB)
                .filteredOn(err -> err.contains("skipped: " + key + " already ran at "))
                .hasSize(1);
    }

    @Test
    void aWaitingRunRunsTheCommandItselfWhenTheRunItWaitedForFails() throws Exception {
        Path file = dir.resolve("runs.txt");
        // the first attempt fails after a while, the next one succeeds
        String[] flaky = sh("echo attempt >> \"$1\"; [ $(wc -l < \"$1\") -ge 2 ] || { sleep 1.5; exit 4; }", file);
        Cli.Started first = cli.start(concat(run(), flaky));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));

        Cli.Result waited = cli.run(concat(run(), flaky));
        Cli.Result failed = first.await(Duration.ofSeconds(60));

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(4);
        assertThat(waited.exitCode()).as(waited.toString()).isZero();
        assertThat(waited.err()).doesNotContain("skipped");
        assertThat(Cli.lines(file)).containsExactly("attempt", "attempt");
    }

    @Test
    void aRunInFlightElsewhereFailsWith75OrIsSkipped() throws Exception {
        Path file = dir.resolve("runs.txt");
        String[] command = sh(untilStopped("ran"), file);
        Cli.Started running = cli.start(concat(run(), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));

        Cli.Started failing = cli.start(concat(run("--on-in-flight", "fail"), command));
        Cli.Started skipping = cli.start(concat(run("--on-in-flight", "skip"), command));
        Cli.Result failed = failing.await(Duration.ofSeconds(60));
        Cli.Result skipped = skipping.await(Duration.ofSeconds(60));
        stop(file);
        Cli.Result first = running.await(Duration.ofSeconds(60));

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(75);
        assertThat(failed.err())
                .startsWith("idempotent: " + key + " is running since ")
                .contains("its lease ends at ")
                .contains("--on-in-flight fail");
        assertThat(skipped.exitCode()).as(skipped.toString()).isZero();
        assertThat(skipped.err()).startsWith("skipped: " + key + " is running since ");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    @Test
    void aKilledRunHoldsTheKeyOnlyUntilItsLeaseEndsThenANewRunProceeds() throws Exception {
        Path file = dir.resolve("runs.txt");
        // one command line: it sleeps until the test creates the stop file
        String[] command = sh("echo ran >> \"$1\"; [ -f \"$1.stop\" ] || sleep 30", file);
        Cli.Started doomed = cli.start(concat(run("--lease", "5s"), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));
        doomed.process().descendants().forEach(leftovers::add);

        Cli.kill("9", doomed.pid());
        doomed.process().waitFor();
        // The command itself (its `sleep`) is still running, orphaned; its key stays in flight until the lease ends.
        Cli.Result inFlight = cli.run(concat(run("--lease", "5s", "--on-in-flight", "fail"), command));
        stop(file);
        Instant waitFrom = Instant.now();
        Cli.Result afterLease = cli.run(concat(run("--lease", "5s", "--wait-timeout", "30s"), command));

        assertThat(inFlight.exitCode()).as(inFlight.toString()).isEqualTo(75);
        assertThat(afterLease.exitCode()).as(afterLease.toString()).isZero();
        assertThat(afterLease.err()).doesNotContain("skipped");
        assertThat(Duration.between(waitFrom, Instant.now())).isLessThan(Duration.ofSeconds(20));
        assertThat(Cli.lines(file)).containsExactly("ran", "ran");
    }

    @Test
    void theSameKeyWithAnotherCommandLineIsAKeyReuse() {
        Path file = dir.resolve("runs.txt");
        Cli.Result first = cli.run(concat(run(), "sh", "-c", "echo deploy prod >> \"$1\"", "sh", file.toString()));

        Cli.Result reuse = cli.run(concat(run(), "sh", "-c", "echo deploy staging >> \"$1\"", "sh", file.toString()));

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(reuse.exitCode()).as(reuse.toString()).isEqualTo(65);
        assertThat(reuse.err())
                .startsWith("idempotent: key reuse: " + key + " was first used for: ")
                .contains("'echo deploy prod >> \"$1\"'")
                .contains("this command is: sh -c 'echo deploy staging >> \"$1\"'");
        assertThat(Cli.lines(file)).containsExactly("deploy prod");
    }

    @Test
    void aNonZeroExitReleasesTheKeySoThatARetryRunsAgain() {
        Path file = dir.resolve("runs.txt");
        // fails on the first attempt, succeeds on the second
        String[] flaky = sh("echo attempt >> \"$1\"; [ $(wc -l < \"$1\") -ge 2 ] || { echo boom >&2; exit 3; }", file);

        Cli.Result failed = cli.run(concat(run(), flaky));
        Cli.Result status = cli.run("status", key);
        Cli.Result retried = cli.run(concat(run(), flaky));
        Cli.Result repeat = cli.run(concat(run(), flaky));

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);
        assertThat(failed.err()).isEqualTo("boom\n");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(retried.exitCode()).as(retried.toString()).isZero();
        assertThat(repeat.exitCode()).as(repeat.toString()).isZero();
        assertThat(repeat.err()).startsWith("skipped: " + key + " already ran at ");
        assertThat(Cli.lines(file)).containsExactly("attempt", "attempt");
    }

    @Test
    void sigtermIsForwardedToTheCommandAndTheInterruptedRunIsNotRecorded() throws Exception {
        Cli.assumeSignalsDelivered();
        Path file = dir.resolve("runs.txt");
        String[] command = sh(
                "trap 'echo terminated >> \"$1\"; echo cleaning up; exit 0' TERM; echo started >> \"$1\";"
                        + " sleep 30 & wait",
                file);
        Cli.Started running = cli.start(concat(run("--remember-failures"), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));
        running.process().descendants().forEach(leftovers::add);

        signal("TERM", running.pid());
        Cli.Result interrupted = running.await(Duration.ofSeconds(30));
        for (ProcessHandle process : leftovers) {
            process.onExit().get(5, TimeUnit.SECONDS);
        }
        Cli.Result status = cli.run("status", key);
        Cli.Result again = cli.run(concat(run(), sh("echo again >> \"$1\"", file)));

        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(143);
        assertThat(interrupted.err())
                .endsWith("idempotent: interrupted by SIGTERM; " + key
                        + " was not recorded as done; it is released, so the next run runs the command\n");
        // what the command prints as it ends still reaches the terminal
        assertThat(interrupted.out()).isEqualTo("cleaning up\n");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(Cli.lines(file)).containsExactly("started", "terminated", "again");
        assertThat(leftovers).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void aSignalToARunWaitingForAnotherStopsItWithoutClaimingAndTheOtherRunGoesOn() throws Exception {
        Cli.assumeSignalsDelivered();
        Path file = dir.resolve("runs.txt");
        String[] command = sh(untilStopped("ran"), file);
        Cli.Started running = cli.start(concat(run(), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));
        Cli.Started waiting = cli.start(concat(run("--wait-timeout", "5m"), command));
        awaitWaiting(waiting);

        signal("INT", waiting.pid());
        Cli.Result interrupted = waiting.await(Duration.ofSeconds(30));
        Cli.Result status = cli.run("status", key);
        stop(file);
        Cli.Result first = running.await(Duration.ofSeconds(60));

        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);
        assertThat(interrupted.err())
                .startsWith("idempotent: " + key + " is running since ")
                .endsWith("; waiting for it, at most 5m (--wait-timeout)\nidempotent: interrupted by SIGINT before "
                        + key + " was claimed; not running " + CommandLines.display(List.of(command)) + "\n");
        assertThat(status.out()).startsWith(key + ": running");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    /** Waits until a started run says it waits for another one. */
    static void awaitWaiting(Cli.Started started) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Cli.read(started.err()).contains("; waiting for it, at most ")) {
            if (System.nanoTime() > deadline || !started.process().isAlive()) {
                throw new AssertionError(
                        "idempotent " + started.args() + " is not waiting; stderr: " + Cli.read(started.err()));
            }
            Thread.sleep(20);
        }
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        Cli.kill(name, pid);
    }

    @Test
    void statusListAndForgetShowAndDropWhatIsKnown() throws Exception {
        Path file = dir.resolve("runs.txt");
        String prefix = key;
        key = prefix + "-a";
        cli.run(concat(run("--output-lines", "2"), sh("echo ran >> \"$1\"; printf 'one\\ntwo\\nthree\\n'", file)));
        key = prefix + "-b";
        Cli.Started running = cli.start(concat(run(), sh(untilStopped("ran"), file)));
        Cli.awaitLines(file, 2, Duration.ofSeconds(30));

        Cli.Started[] reads = {
            cli.start("status", prefix + "-a"),
            cli.start("status", "--json", prefix + "-a"),
            cli.start("list", "--prefix", prefix),
            cli.start("list", "--json", "--prefix", prefix)
        };
        Cli.Result status = reads[0].await(Duration.ofSeconds(60));
        Cli.Result json = reads[1].await(Duration.ofSeconds(60));
        Cli.Result list = reads[2].await(Duration.ofSeconds(60));
        Cli.Result listJson = reads[3].await(Duration.ofSeconds(60));
        Cli.Result forget = cli.run("forget", prefix + "-a");
        Cli.Result none = cli.run("status", "--json", prefix + "-a");
        stop(file);
        Cli.Result stopped = running.await(Duration.ofSeconds(60));

        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out())
                .startsWith(prefix + "-a: done\n")
                .contains("  command:    sh -c 'echo ran >> \"$1\"; printf '\\''one\\ntwo\\nthree\\n'\\''' sh " + file)
                .contains("  exit code:  0\n")
                .contains("  last 2 lines of output:\n    | two\n    | three\n");
        JsonNode node = JSON.readTree(json.out());
        assertThat(node.path("state").asString()).isEqualTo("done");
        assertThat(node.path("key").asString()).isEqualTo(prefix + "-a");
        assertThat(node.path("exitCode").asInt()).isZero();
        assertThat(node.path("command").get(0).asString()).isEqualTo("sh");
        assertThat(node.path("output").toString()).isEqualTo("[\"two\",\"three\"]");
        assertThat(node.path("host").asString()).isNotBlank();
        assertThat(Instant.parse(node.path("endedAt").asString()))
                .isAfterOrEqualTo(Instant.parse(node.path("startedAt").asString()));
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().toList()).hasSize(3);
        assertThat(list.out().lines().toList().get(0)).startsWith("KEY");
        assertThat(list.out().lines().toList().get(1)).matches(prefix + "-a +done +0 +.*");
        assertThat(list.out().lines().toList().get(2))
                .matches(prefix + "-b +running +- +.*")
                .endsWith("done' sh " + file);
        JsonNode array = JSON.readTree(listJson.out());
        assertThat(array).hasSize(2);
        assertThat(array.get(1).path("state").asString()).isEqualTo("running");
        assertThat(array.get(1).path("leaseExpiresAt").asString()).isNotBlank();
        assertThat(forget.out()).startsWith("forgot " + prefix + "-a");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(JSON.readTree(none.out()).path("state").asString()).isEqualTo("none");
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
    }
}
