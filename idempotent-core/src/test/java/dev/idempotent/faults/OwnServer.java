package dev.idempotent.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A database server this test starts itself, on a free loopback port with a data folder of its own, so that
 * it can be stopped, killed and restarted without touching the machine's shared servers. {@link #close()}
 * kills the whole process tree and deletes the folder, whatever happened before.
 */
abstract class OwnServer implements AutoCloseable {

    final Path dir;

    final int port;

    private Process process;

    OwnServer(String name) {
        try {
            dir = Files.createTempDirectory("idempotency-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = freePort();
    }

    /** The command that runs the server in the foreground. */
    abstract List<String> command();

    /** Starts the server and waits until it accepts connections. */
    void start() {
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitListening();
    }

    /** Kills the server at once (SIGKILL to its whole tree), as a crash or a pulled plug would. */
    void kill() {
        killTree(process);
        process = null;
        awaitClosed();
    }

    /** Asks the server to shut down as an operator's restart would, and waits for it to end. */
    void stop() {
        if (process == null) {
            return;
        }
        signal(serverPid(), "INT");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                killTree(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        awaitClosed();
    }

    /** The pid of the server process itself (not of a launcher in front of it). */
    long serverPid() {
        return process.toHandle()
                .descendants()
                .map(ProcessHandle::pid)
                .min(Comparator.naturalOrder())
                .orElse(process.pid());
    }

    @Override
    public void close() {
        try {
            killTree(process);
        } finally {
            deleteQuietly(dir);
        }
    }

    static void signal(long pid, String signal) {
        run(List.of("kill", "-" + signal, Long.toString(pid)));
    }

    static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void killTree(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        process.toHandle().descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle handle : tree) {
            handle.onExit()
                    .orTimeout(10, TimeUnit.SECONDS)
                    .exceptionally(e -> null)
                    .join();
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("The server exited: " + log());
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException("The server did not listen on port " + port + ": " + log());
    }

    private void awaitClosed() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                sleep(100);
            } catch (IOException closed) {
                return;
            }
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    /** A Redis server, with or without its append-only file. */
    static final class Redis extends OwnServer {

        private final boolean appendOnly;

        Redis(boolean appendOnly) {
            super("redis");
            this.appendOnly = appendOnly;
        }

        @Override
        List<String> command() {
            return List.of(
                    "redis-server",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    dir.toString(),
                    "--save",
                    "",
                    "--appendonly",
                    appendOnly ? "yes" : "no",
                    "--appendfsync",
                    "always",
                    "--daemonize",
                    "no");
        }
    }

    /** A PostgreSQL cluster of its own, run as the {@code postgres} user (PostgreSQL refuses root). */
    static final class Postgres extends OwnServer {

        private final String bin;

        Postgres() {
            super("postgres");
            bin = postgresBin();
            run(List.of("chown", "-R", "postgres", dir.toString()));
            run(List.of(
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    bin + "/initdb",
                    "-D",
                    dir.resolve("data").toString(),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync"));
        }

        private boolean created;

        /** Starts the cluster; the first time, also creates its database {@code test}. */
        @Override
        void start() {
            super.start();
            if (!created) {
                try (java.sql.Connection connection = java.sql.DriverManager.getConnection(
                                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                        java.sql.Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE test");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("Could not create database test: " + e, e);
                }
                created = true;
            }
        }

        @Override
        List<String> command() {
            return List.of(
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    bin + "/postgres",
                    "-D",
                    dir.resolve("data").toString(),
                    "-p",
                    Integer.toString(port),
                    "-k",
                    dir.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=on");
        }

        /** Whether this machine can run one: root (to switch to postgres) and PostgreSQL's binaries. */
        static boolean available() {
            return "root".equals(System.getProperty("user.name")) && postgresBin() != null;
        }

        private static String postgresBin() {
            File[] versions = new File("/usr/lib/postgresql").listFiles();
            if (versions == null) {
                return null;
            }
            return Stream.of(versions)
                    .map(v -> new File(v, "bin"))
                    .filter(b -> new File(b, "initdb").canExecute())
                    .map(File::getPath)
                    .sorted(Comparator.reverseOrder())
                    .findFirst()
                    .orElse(null);
        }
    }
}
