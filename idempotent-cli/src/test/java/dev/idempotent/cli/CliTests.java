package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What does not depend on a store: usage errors, unreachable stores, the launcher script. */
class CliTests {

    @org.junit.jupiter.api.AfterEach
    void killEverythingStarted() {
        Cli.killAll();
    }

    @TempDir
    Path dir;

    @Test
    void usageErrorsExit64WithAMessage() {
        Cli cli = new Cli(dir, null);

        Cli.Result noKey = cli.run("run", "--", "true");
        Cli.Result badDuration = cli.run("run", "--key", "k", "--ttl", "5 parsecs", "--", "true");
        Cli.Result badInFlight = cli.run("run", "--key", "k", "--on-in-flight", "maybe", "--", "true");
        Cli.Result noCommand = cli.run("run", "--key", "k");
        Cli.Result unknown = cli.run("frobnicate");
        Cli.Result nothing = cli.run();

        assertThat(noKey.exitCode()).as(noKey.toString()).isEqualTo(64);
        assertThat(noKey.err()).contains("Missing required option: '--key=KEY'").contains("idempotent run --help");
        assertThat(badDuration.exitCode()).isEqualTo(64);
        assertThat(badDuration.err()).contains("'5 parsecs' is not a duration");
        assertThat(badInFlight.exitCode()).isEqualTo(64);
        assertThat(badInFlight.err()).contains("--on-in-flight").contains("maybe");
        assertThat(noCommand.exitCode()).isEqualTo(64);
        assertThat(noCommand.err()).contains("COMMAND");
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(nothing.exitCode()).isEqualTo(64);
        assertThat(nothing.err()).contains("Usage: idempotent");
    }

    @Test
    void helpListsTheOptionsAndTheExitCodes() {
        Cli.Result help = new Cli(dir, null).run("run", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out())
                .contains(
                        "--key=KEY",
                        "--ttl=DURATION",
                        "--lease=DURATION",
                        "--on-in-flight=wait|fail|skip",
                        "--wait-timeout=DURATION",
                        "--remember-failures",
                        "--store=URL",
                        "Exit codes:",
                        "65",
                        "69",
                        "75");
    }

    @Test
    void anUnreachableStoreExits69AndTheCommandDoesNotRun() throws Exception {
        int port = closedPort();
        Path file = dir.resolve("runs.txt");
        String[] command = {"--", "sh", "-c", "echo ran >> \"$1\"", "sh", file.toString()};

        Cli.Result postgres = new Cli(dir, "jdbc:postgresql://127.0.0.1:" + port + "/test?connectTimeout=2")
                .run(join(new String[] {"run", "--key", "k"}, command));
        Cli.Result redis =
                new Cli(dir, "redis://127.0.0.1:" + port + "/0").run(join(new String[] {"run", "--key", "k"}, command));
        Cli.Result status = new Cli(dir, null).run("status", "--store", "redis://127.0.0.1:" + port + "/0", "k");
        Cli.Result unsupported =
                new Cli(dir, "mongodb://127.0.0.1/test").run(join(new String[] {"run", "--key", "k"}, command));

        assertThat(postgres.exitCode()).as(postgres.toString()).isEqualTo(69);
        assertThat(postgres.err())
                .startsWith("idempotent: store unavailable: jdbc:postgresql://127.0.0.1:" + port)
                .contains("Connection refused");
        assertThat(redis.exitCode()).as(redis.toString()).isEqualTo(69);
        assertThat(redis.err())
                .startsWith("idempotent: store unavailable: redis://127.0.0.1:" + port + "/0: cannot be reached");
        assertThat(status.exitCode()).isEqualTo(69);
        assertThat(unsupported.exitCode()).isEqualTo(64);
        assertThat(unsupported.err()).startsWith("idempotent: Unsupported store 'mongodb://127.0.0.1/test'");
        assertThat(Cli.lines(file)).isEmpty();
    }

    @Test
    void aCommandThatIsNotFoundExits127AndReleasesItsKey() {
        Cli cli = new Cli(dir, null);

        Cli.Result missing = cli.run("run", "--key", "k", "--", "./no-such-command");
        Cli.Result status = cli.run("status", "k");

        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(127);
        assertThat(missing.err())
                .isEqualTo("idempotent: cannot run ./no-such-command: command not found; k was released\n");
        assertThat(status.exitCode()).isEqualTo(1);
    }

    @Test
    void theLauncherScriptRunsTheJarNextToItOrInTarget() throws Exception {
        // A jar that has only a manifest: Main-Class, and Class-Path = this test's classpath.
        Path target = Files.createDirectories(dir.resolve("dist/target"));
        Path bin = Files.createDirectories(dir.resolve("dist/bin"));
        writeLauncherJar(target.resolve("idempotent-cli.jar"));
        Path script =
                Files.copy(Path.of("bin/idempotent"), bin.resolve("idempotent"), StandardCopyOption.COPY_ATTRIBUTES);
        Path link = Files.createSymbolicLink(dir.resolve("idempotent-link"), script);
        Path file = dir.resolve("runs.txt");

        Process first =
                launch(link, null, "run", "--key", "k", "--", "sh", "-c", "echo ran >> \"$1\"", "sh", file.toString());
        int firstExit = exit(first);
        Process second = launch(
                Path.of("bin/idempotent").toAbsolutePath(),
                target.resolve("idempotent-cli.jar"),
                "run",
                "--key",
                "k",
                "--",
                "sh",
                "-c",
                "echo ran >> \"$1\"",
                "sh",
                file.toString());
        Process missing = launch(Path.of("bin/idempotent").toAbsolutePath(), dir.resolve("none.jar"), "--version");

        assertThat(firstExit).isZero();
        assertThat(exit(second)).isZero();
        assertThat(new String(second.getErrorStream().readAllBytes())).startsWith("skipped: k already ran at ");
        assertThat(exit(missing)).isEqualTo(69);
        assertThat(Cli.lines(file)).containsExactly("ran");
    }

    @Test
    void theLauncherPassesNonAsciiArgumentsIntactInAnyLocaleAndLeavesTheCommandItsOwn() throws Exception {
        Path target = Files.createDirectories(dir.resolve("dist/target"));
        writeLauncherJar(target.resolve("idempotent-cli.jar"));
        Path file = dir.resolve("args.txt");
        String[] command = {
            "sh",
            "-c",
            "printf '%s|%s|%s\\n' \"$2\" \"$IDEMPOTENT_KEY\" \"${LC_ALL-unset}\" >> \"$1\"",
            "sh",
            file.toString(),
            "h\u00e9 \u2713"
        };

        Process posix = launch(
                Path.of("bin/idempotent").toAbsolutePath(),
                target.resolve("idempotent-cli.jar"),
                Map.of(),
                join(new String[] {"run", "--key", "d\u00e9j\u00e0-vu", "--"}, command));
        Process posixAll = launch(
                Path.of("bin/idempotent").toAbsolutePath(),
                target.resolve("idempotent-cli.jar"),
                Map.of("LC_ALL", "POSIX"),
                join(new String[] {"run", "--key", "d\u00e8j\u00e0-vu", "--"}, command));
        int posixExit = exit(posix);
        int posixAllExit = exit(posixAll);

        assertThat(posixExit)
                .as(new String(posix.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(posixAllExit).isZero();
        // two keys that differ only in non-ASCII letters stay two keys
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder(
                        "h\u00e9 \u2713|d\u00e9j\u00e0-vu|unset", "h\u00e9 \u2713|d\u00e8j\u00e0-vu|POSIX");
    }

    @Test
    void withoutTheLauncherAnArgumentTheLocaleCannotDecodeIsRefused() {
        Cli.Result refused =
                new Cli(dir, null).env("LC_ALL", "C").run("run", "--key", "d\u00e9j\u00e0-vu", "--", "true");

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(64);
        assertThat(refused.err())
                .contains("some arguments are not valid ANSI_X3.4-1968 text")
                .contains("LC_ALL=C.UTF-8");
    }

    @Test
    void anArgumentThatIsNotValidTextIsRefusedEvenInAUtf8Locale() {
        Cli cli = new Cli(dir, null).env("LC_ALL", "C.UTF-8");

        // $'inv-\xe9' and $'inv-\xe8' would both read as "inv-\uFFFD": one key for two
        Cli.Result refused = cli.startIn("exec \"$@\" \"$(printf 'inv-\\351')\" -- true", "run", "--key")
                .await(Duration.ofSeconds(60));

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(64);
        assertThat(refused.err()).contains("some arguments are not valid UTF-8 text");
    }

    @Test
    void anH2FileWithARelativePathIsRefused() {
        Cli.Result relative = new Cli(dir, "jdbc:h2:./store").run("run", "--key", "k", "--", "true");

        assertThat(relative.exitCode()).as(relative.toString()).isEqualTo(64);
        assertThat(relative.err()).contains("is a relative path");
        assertThat(dir.resolve("store.mv.db")).doesNotExist();
    }

    @Test
    void aSignalWhileTheStoreDoesNotAnswerEndsTheRunWhenItGivesUpAndASecondSignalAtOnce() throws Exception {
        Cli.assumeSignalsDelivered();
        // a "Redis" that accepts connections and never answers
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String url = "redis://127.0.0.1:" + silent.getLocalPort() + "/0?timeout=3s";
            List<java.net.Socket> accepted = new ArrayList<>();
            try {
                Cli.Started once = new Cli(dir, url).start("run", "--key", "k", "--", "true");
                accepted.add(silent.accept()); // the JVM is up, its signal handlers installed, and it waits for PING
                Cli.kill("TERM", once.pid());
                Cli.Result patient = once.await(Duration.ofSeconds(60));

                Cli.Started twice = new Cli(dir, url).start("run", "--key", "k", "--", "true");
                accepted.add(silent.accept());
                long start = System.nanoTime();
                Cli.kill("TERM", twice.pid());
                Thread.sleep(100);
                Cli.kill("INT", twice.pid());
                Cli.Result impatient = twice.await(Duration.ofSeconds(60));
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(patient.exitCode()).as(patient.toString()).isEqualTo(143);
                assertThat(patient.err())
                        .startsWith("idempotent: interrupted by SIGTERM while the store did not answer (")
                        .endsWith("); not running true\n");
                assertThat(impatient.exitCode()).as(impatient.toString()).isEqualTo(143);
                assertThat(impatient.err()).isEqualTo("idempotent: interrupted again; exiting now\n");
                assertThat(took).isLessThan(Duration.ofSeconds(3));
            } finally {
                for (java.net.Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    private Process launch(Path script, Path jar, String... args) throws IOException {
        return launch(script, jar, Map.of(), args);
    }

    /** Runs the launcher in the POSIX locale (no LANG, LC_ALL or LC_CTYPE) plus {@code env}. */
    private Process launch(Path script, Path jar, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("HOME", dir.resolve("home").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("IDEMPOTENT_STORE");
        builder.environment().remove("IDEMPOTENT_CLI_JAR");
        builder.environment().remove("LANG");
        builder.environment().remove("LC_ALL");
        builder.environment().remove("LC_CTYPE");
        builder.environment().putAll(env);
        if (jar != null) {
            builder.environment().put("IDEMPOTENT_CLI_JAR", jar.toString());
        }
        return Cli.track(builder.start());
    }

    private static int exit(Process process) throws InterruptedException {
        if (!process.waitFor(Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not exit");
        }
        return process.exitValue();
    }

    private static void writeLauncherJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                classPath.append(Path.of(entry).toUri()).append(' ');
            }
        }
        attributes.put(Attributes.Name.CLASS_PATH, classPath.toString().strip());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.flush();
        }
    }

    private static String[] join(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
