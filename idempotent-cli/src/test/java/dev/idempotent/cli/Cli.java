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
 */
final class Cli {

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static final String CLASSPATH = System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path"));

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
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-XX:-UsePerfData"));
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
            return new Started(builder.start(), out, err, String.join(" ", args));
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
                    throw new AssertionError("idempotent " + args + " did not exit within " + timeout
                            + "; stderr so far: " + read(err));
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
                throw new AssertionError(file + " has " + lines(file).size() + " lines, not " + count + ", after " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
