package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The command line on its default store: an embedded H2 file in $HOME/.idempotent, shared by processes. */
class EmbeddedStoreCliTests extends CliStoreTestSupport {

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
        assertThat(timedOut.err())
                .startsWith("idempotent: " + key + " is running since ")
                .contains("still after waiting 1s");
        assertThat(first.exitCode()).isZero();
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    @Test
    void argumentsStartingWithAnAtSignAreNotReadAsArgumentFiles() throws Exception {
        Path body = Files.writeString(dir.resolve("body.json"), "{}");
        Path file = dir.resolve("args.txt");

        Cli.Result result =
                cli.run(concat(run(), "sh", "-c", "echo \"$2\" >> \"$1\"", "sh", file.toString(), "@" + body));

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
        assertThat(replayed.err())
                .startsWith("skipped: " + key + " already ran at ")
                .contains("(exit 3, ");
        assertThat(status.out()).startsWith(key + ": failed\n").contains("  exit code:  3\n");
        assertThat(forgot.out()).startsWith("forgot " + key);
        assertThat(retried.exitCode()).isEqualTo(3);
        assertThat(Cli.lines(file)).containsExactly("attempt", "attempt");
    }

    @Test
    void ctrlCToTheWholeProcessGroupIsAnInterruptionEvenWhenTheCommandExitsZeroOnIt() throws Exception {
        Cli.assumeSignalsDelivered();
        // Ctrl-C in a terminal sends SIGINT to the command too; this one cleans up and exits 0 on it
        Path file = dir.resolve("runs.txt");
        String[] command = sh(
                "trap 'echo cleaned-up >> \"$1\"; exit 0' INT; echo started >> \"$1\";"
                        + " while :; do sleep 0.05; done",
                file);
        Cli.Started running = cli.start(concat(run("--remember-failures"), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));

        ctrlC(running);
        Cli.Result interrupted = running.await(Duration.ofSeconds(30));
        Cli.Result status = cli.run("status", key);

        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);
        assertThat(interrupted.err()).contains("interrupted by SIGINT; " + key + " was not recorded as done");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(Cli.lines(file)).containsExactly("started", "cleaned-up");
    }

    @Test
    void ctrlCThatEndsTheCommandFirstStillStopsWhatItStartedBeforeTheKeyIsReleased() throws Exception {
        Cli.assumeSignalsDelivered();
        Path pids = dir.resolve("pids.txt");
        Path child = Files.writeString(dir.resolve("child.sh"), "trap '' TERM INT; echo $$ >> \"$1\"; exec sleep 40\n");
        String[] command = sh("trap 'exit 0' INT; sh " + child + " \"$1\" & while :; do sleep 0.05; done", pids);
        Cli.Started running = cli.start(concat(run("--kill-after", "1s"), command));
        Cli.awaitLines(pids, 1, Duration.ofSeconds(30));
        ProcessHandle background =
                ProcessHandle.of(Long.parseLong(Cli.lines(pids).get(0).strip())).orElseThrow();
        leftovers.add(background);
        Thread.sleep(300); // the run has seen it among the command's descendants

        ctrlC(running);
        Cli.Result interrupted = running.await(Duration.ofSeconds(30));
        boolean backgroundAliveAfterRelease = background.isAlive();

        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);
        assertThat(interrupted.err()).contains("was not recorded as done; it is released");
        assertThat(backgroundAliveAfterRelease)
                .as("the process the command started, ignoring SIGINT and SIGTERM,"
                        + " was killed before the key was released")
                .isFalse();
    }

    @Test
    void aSecondSignalKillsACommandThatIgnoresTheFirst() throws Exception {
        Cli.assumeSignalsDelivered();
        Path file = dir.resolve("runs.txt");
        String[] command = sh("trap '' TERM; echo started >> \"$1\"; while :; do sleep 0.05; done", file);
        Cli.Started running = cli.start(concat(run("--kill-after", "30s"), command));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));
        running.process().descendants().forEach(leftovers::add);

        signal("HUP", running.pid());
        Thread.sleep(300);
        boolean stillRunning = running.process().isAlive();
        signal("TERM", running.pid());
        Cli.Result interrupted = running.await(Duration.ofSeconds(5));

        assertThat(stillRunning)
                .as("a command ignoring SIGTERM gets --kill-after before it is killed")
                .isTrue();
        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(129);
        assertThat(interrupted.err())
                .contains("idempotent: interrupted again; killing sh\n")
                .contains("interrupted by SIGHUP; " + key + " was not recorded as done; it is released");
    }

    @Test
    void aCommandEndedBySigtermIsNotRecordedEvenWithRememberFailures() throws Exception {
        Cli.assumeSignalsDelivered();
        Path file = dir.resolve("runs.txt");
        Path pid = dir.resolve("pid.txt");
        Cli.Started running = cli.start(concat(
                run("--remember-failures"), "sh", "-c", "echo $$ > \"$1\"; exec sleep 30", "sh", pid.toString()));
        Cli.awaitLines(pid, 1, Duration.ofSeconds(30));

        signal("TERM", Long.parseLong(Cli.lines(pid).get(0).strip()));
        Cli.Result ended = running.await(Duration.ofSeconds(30));
        Cli.Result status = cli.run("status", key);

        assertThat(ended.exitCode()).as(ended.toString()).isEqualTo(143);
        assertThat(ended.err())
                .isEqualTo("idempotent: sh was ended by SIGTERM (exit 143); " + key
                        + " was not recorded as done; it is released, so the next run runs the command\n");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void whenItsOutputIsClosedTheCommandGetsSigpipeAsInAShellPipeline() {
        // `yes | head -n 2` ends because yes gets SIGPIPE; through idempotent it must end the same way
        Cli.Result piped =
                cli.startIn("\"$@\" | head -n 2", concat(run(), "yes")).await(Duration.ofSeconds(60));
        Cli.Result status = cli.run("status", key);

        assertThat(piped.out()).as(piped.toString()).isEqualTo("y\ny\n");
        assertThat(status.exitCode())
                .as("yes died of SIGPIPE (exit 141), so the key was released: " + status)
                .isEqualTo(1);
    }

    @Test
    void aSlowReaderGetsAllOfTheOutputEvenLongAfterTheCommandExited() {
        // the command's 109 kB fit in the pipes and it exits at once; the reader starts reading 3 s later
        Cli.Result piped = cli.startIn("\"$@\" | { sleep 3; wc -l; }", concat(run(), "seq", "1", "20000"))
                .await(Duration.ofSeconds(60));

        assertThat(piped.out().strip()).as(piped.toString()).isEqualTo("20000");
    }

    @Test
    void withOutputLinesZeroTheCommandWritesToOurStreamsItselfSoABackgroundProcessCanToo() throws Exception {
        // captured output ends with the command (the JDK closes its pipes when it exits): a process left
        // running in the background needs the streams themselves
        Path out = dir.resolve("background.out");
        Cli.Started started = cli.startIn(
                "\"$@\" > \"$0\"".replace("$0", out.toString()),
                concat(run("--output-lines", "0"), "sh", "-c", "(sleep 1; echo late) & echo started"));
        Cli.Result inherited = started.await(Duration.ofSeconds(60));
        Cli.awaitLines(out, 2, Duration.ofSeconds(30));
        Cli.Result status = cli.run("status", key);

        assertThat(inherited.exitCode()).as(inherited.toString()).isZero();
        assertThat(Cli.lines(out)).containsExactly("started", "late");
        assertThat(status.out()).startsWith(key + ": done\n").doesNotContain("of output");
    }

    @Test
    void withoutAnAbsoluteHomeTheEmbeddedStoreIsRefusedRatherThanPutInTheWorkingDirectory() {
        // no HOME, and a user without a home in /etc/passwd (an arbitrary uid in a container): Java says "?"
        Cli.Result noHome = cli.env("HOME", "").javaOption("-Duser.home=?").run(concat(run(), "true"));
        Cli.Result relative = cli.env("IDEMPOTENT_HOME", "state").run(concat(run(), "true"));
        Cli.Result memory = cli.run(concat(new String[] {"run", "--store", "jdbc:h2:mem:x", "--key", key}, "true"));

        assertThat(noHome.exitCode()).as(noHome.toString()).isEqualTo(64);
        assertThat(noHome.err()).contains("HOME is not set").contains("IDEMPOTENT_HOME");
        assertThat(relative.exitCode()).as(relative.toString()).isEqualTo(64);
        assertThat(relative.err()).contains("IDEMPOTENT_HOME must be an absolute path, was 'state'");
        assertThat(memory.exitCode()).as(memory.toString()).isEqualTo(64);
        assertThat(memory.err()).contains("in-memory H2 database");
        assertThat(dir.resolve("?")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void anInterruptedCommandsChildrenAreGoneBeforeItsKeyIsReleased() throws Exception {
        Cli.assumeSignalsDelivered();
        Path pids = dir.resolve("pids.txt");
        // the command exits on SIGTERM at once, but leaves a child behind that ignores it
        String script = "sh -c 'trap \"\" TERM; echo $$ >> \"$1\"; exec sleep 40' sh \"$1\" & wait";
        Cli.Started running = cli.start(concat(run("--kill-after", "1s"), sh(script, pids)));
        Cli.awaitLines(pids, 1, Duration.ofSeconds(30));
        ProcessHandle child =
                ProcessHandle.of(Long.parseLong(Cli.lines(pids).get(0).strip())).orElseThrow();
        leftovers.add(child);

        signal("TERM", running.pid());
        Cli.Result interrupted = running.await(Duration.ofSeconds(30));
        boolean childAliveAfterRelease = child.isAlive();

        assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(143);
        assertThat(interrupted.err()).contains("it is released");
        assertThat(childAliveAfterRelease)
                .as("the child that ignored SIGTERM was killed before the key was released")
                .isFalse();
    }

    @Test
    void aBackgroundProcessHoldingTheOutputOpenIsGivenUpOnOnceTheOutputIsSilent() throws Exception {
        Path pids = dir.resolve("pids.txt");
        try {
            Cli.Result result = cli.run(concat(run(), sh("sleep 60 & echo $! >> \"$1\"; echo started; sleep 1", pids)));

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).isEqualTo("started\n");
            assertThat(result.err())
                    .isEqualTo("idempotent: warning: sh exited, but a process it started still holds its"
                            + " output open; not waiting for it (what it writes from now on is lost: redirect its output, or use"
                            + " --output-lines 0)\n");
        } finally {
            for (String pid : Cli.lines(pids)) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aSignalAfterTheCommandFinishedNeitherStopsNorUndoesItsRecord() throws Exception {
        Cli.assumeSignalsDelivered();
        // the command's output waits in the pipes for a reader that starts 5 s later; SIGTERM comes meanwhile
        Path file = dir.resolve("runs.txt");
        Cli.Started running = cli.startIn(
                "{ \"$@\"; echo \"rc=$?\" >&2; } | { sleep 5; wc -c > /dev/null; }",
                concat(run(), sh("head -c 120000 /dev/zero | tr '\\0' x; echo finished >> \"$1\"", file)));
        Cli.awaitLines(file, 1, Duration.ofSeconds(30));
        Thread.sleep(300);
        ProcessHandle jvm = running.process()
                .descendants()
                .filter(process -> process.info().command().orElse("").endsWith("java"))
                .findFirst()
                .orElseThrow();

        signal("TERM", jvm.pid());
        Cli.Result piped = running.await(Duration.ofSeconds(60));
        Cli.Result status = cli.run("status", key);

        assertThat(piped.err())
                .as(piped.toString())
                .contains(
                        "idempotent: SIGTERM arrived after sh had finished (exit 0); " + key + " is recorded as done\n")
                .endsWith("rc=0\n");
        assertThat(status.out()).startsWith(key + ": done\n");
    }

    /** What Ctrl-C in a terminal does: SIGINT to every process of the foreground group, the command's first. */
    private static void ctrlC(Cli.Started running) throws Exception {
        Cli.kill(
                "INT",
                Stream.concat(
                                running.process().descendants(),
                                Stream.of(running.process().toHandle()))
                        .mapToLong(ProcessHandle::pid)
                        .toArray());
    }
}
