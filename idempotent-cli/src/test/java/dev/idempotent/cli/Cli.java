package dev.idempotent.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Launches the real command line as a separate {@code java} process ({@code java -cp <test classpath>
 * dev.idempotent.cli.Main ...}), with its own environment, capturing its stdout and stderr in files.
 * <p>
 * Each process starts in a session of its own with SIGINT, SIGHUP, SIGTERM and SIGQUIT at their default
 * dispositions (through a one-line Perl wrapper, when Perl is there): a test run from a background job or
 * under {@code nohup}, where SIGINT or SIGHUP is ignored and every child inherits that, still sees the
 * command line's handling of those signals; and {@link #killAll()} (every test class calls it after each
 * test, pass or fail) kills each process's whole group, descendants that outlived their parent included.
 * Without Perl, tests that send a signal call {@link #assumeSignalsDelivered()}, which skips them when this
 * JVM ignores one of those signals.
 */
final class Cli {

    /** The signals the tests send, as their numbers on Linux: HUP 1, INT 2, QUIT 3, TERM 15. */
    private static final int[] SIGNALS_SENT = {1, 2, 3, 15};

    /** Starts a new session (process group), resets the signals the tests send to their defaults, becomes the command. */
    private static final List<String> NEW_SESSION_WITH_DEFAULT_SIGNALS = List.of(
            "perl",
            "-e",
            "use POSIX (); POSIX::setsid(); $SIG{$_} = 'DEFAULT' for qw(HUP INT QUIT TERM);"
                    + " exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\\n\";",
            "--");

    private static final boolean PERL = canRun("perl", "-e", "exit 0");

    /** Every process started by any Cli and not yet killed by {@link #killAll()}. */
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static final String CLASSPATH =
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    private static final AtomicInteger counter = new AtomicInteger();

    private final Path dir;

    private final Map<String, String> env = new HashMap<>();

    /**
     * @param dir a temporary folder: the working directory, the home of the embedded store, and the output files
     * @param store the store URL ({@code IDEMPOTENT_STORE}), or {@code null} for the embedded default
     */
    Cli(Path dir, String store) {
        this.dir = dir;
        env.put("HOME", dir.resolve("home").toString());
        if (store != null) {
            env.put("IDEMPOTENT_STORE", store);
        }
    }

    private final List<String> javaOptions = new ArrayList<>();

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** A JVM option for the processes started from now on, e.g. {@code -Duser.home=?}. */
    Cli javaOption(String option) {
        javaOptions.add(option);
        return this;
    }

    Path dir() {
        return dir;
    }

    /** Runs {@code idempotent ARGS} and waits for it (at most a minute). */
    Result run(String... args) {
        return start(args).await(Duration.ofSeconds(60));
    }

    /** Starts {@code idempotent ARGS} in the background. */
    Started start(String... args) {
        return launch(List.of(), args);
    }

    /**
     * Starts {@code idempotent ARGS} in the background, in a shell pipeline: {@code sh -c PIPELINE sh
     * java ... ARGS}, where the pipeline runs it as {@code "$@"}, e.g. {@code "$@" | head -n 1}.
     */
    Started startIn(String pipeline, String... args) {
        return launch(List.of("sh", "-c", pipeline, "sh"), args);
    }

    private Started launch(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(PERL ? NEW_SESSION_WITH_DEFAULT_SIGNALS : List.of());
        command.addAll(prefix);
        command.addAll(
                List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:-UsePerfData"));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", CLASSPATH, Main.class.getName()));
        command.addAll(List.of(args));
        int n = counter.incrementAndGet();
        Path out = dir.resolve("cli-" + n + ".out");
        Path err = dir.resolve("cli-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("IDEMPOTENT_STORE");
        builder.environment().remove("IDEMPOTENT_HOME");
        builder.environment().remove("IDEMPOTENT_LOG");
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            STARTED.add(process);
            return new Started(process, out, err, String.join(" ", args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running {@code idempotent}. */
    record Started(Process process, Path out, Path err, String args) {

        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(
                            "idempotent " + args + " did not exit within " + timeout + "; stderr so far: " + read(err));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return new Result(process.exitValue(), read(out), read(err), args);
        }

        long pid() {
            return process.pid();
        }
    }

    /** What a finished {@code idempotent} did. */
    record Result(int exitCode, String out, String err, String args) {

        @Override
        public String toString() {
            return "idempotent " + args + " -> exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills every process started since the last call, with all of its descendants: its process group
     * (a session of its own, see the class comment), which holds even those whose parent has exited, and
     * the descendants still attached to it. Call it after each test, whatever the outcome.
     */
    static void killAll() {
        List<Process> processes = List.copyOf(STARTED);
        STARTED.removeAll(processes);
        for (Process process : processes) {
            List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
            if (PERL) {
                canRun("kill", "-KILL", "--", "-" + process.pid());
            }
            family.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Has {@link #killAll()} kill {@code process} and its descendants too; returns it. */
    static Process track(Process process) {
        STARTED.add(process);
        return process;
    }

    /** Whether processes started here get the signals the tests send: none ignored here, or reset by Perl. */
    static boolean signalsDelivered() {
        return PERL || ignoredSignalsHere().isEmpty();
    }

    /**
     * Skips the test, saying why, when a signal sent to the processes started here would be ignored: this
     * JVM ignores it (started from a background job, by {@code nohup} or by a CI runner that ignores SIGINT,
     * and every child inherits that) and Perl, which would reset it for the command line, is not installed.
     */
    static void assumeSignalsDelivered() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                signalsDelivered(),
                () -> "this test JVM ignores "
                        + ignoredSignalsHere() + " (it was started from a background job, by nohup or by a CI runner"
                        + " that ignores them, and every child inherits that) and perl, which would reset them for the"
                        + " command line, is not installed; the signal cases cannot be tested here");
    }

    /** The signals the tests send that this JVM ignores (Linux: the SigIgn mask of /proc/self/status). */
    static List<String> ignoredSignalsHere() {
        List<String> ignored = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    for (int signal : SIGNALS_SENT) {
                        if ((mask & (1L << (signal - 1))) != 0) {
                            ignored.add(
                                    switch (signal) {
                                        case 1 -> "SIGHUP";
                                        case 2 -> "SIGINT";
                                        case 3 -> "SIGQUIT";
                                        default -> "SIGTERM";
                                    });
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: assume the defaults
        }
        return ignored;
    }

    private static boolean canRun(String... command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends a signal ({@code TERM}, {@code INT}, {@code 9}, ...) to the processes, in this order, with one kill(1). */
    static void kill(String signal, long... pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        for (long pid : pids) {
            command.add(Long.toString(pid));
        }
        new ProcessBuilder(command).start().waitFor();
    }

    /** Waits until {@code file} has at least {@code count} lines (a command has reached a point). */
    static void awaitLines(Path file, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines(file).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        file + " has " + lines(file).size() + " lines, not " + count + ", after " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
