package dev.idempotent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command of {@code idempotent run} as a child process: standard input inherited, standard
 * output and error pumped through to the terminal while their last lines are kept.
 *
 * <p><b>Signals.</b> Java cannot trap signals portably, so SIGINT and SIGTERM are handled by a shutdown
 * hook: it sends SIGTERM to the command and to its descendants ({@link Process#destroy()}), waits up
 * to {@link #GRACE} for it to exit (then kills it), and waits until the run's key has been released (an
 * interrupted run is never recorded as done). The JVM then exits with 128 + the signal number (130 for
 * SIGINT, 143 for SIGTERM). A {@code kill -9} of {@code idempotent} cannot be handled: the command keeps
 * running, and the key stays in flight until its lease ends.
 */
final class CommandRunner {

    /** How long an interrupted command may take to exit after SIGTERM before it is killed. */
    static final long GRACE = TimeUnit.SECONDS.toMillis(10);

    /** How long to wait for the output pipes to close after the command exited (a background child may hold them). */
    private static final long DRAIN_MILLIS = 2000;

    private final List<String> command;

    private final int outputLines;

    private final boolean rememberFailures;

    private final Object lock = new Object();

    private final CountDownLatch finished = new CountDownLatch(1);

    /** Guarded by {@link #lock}. */
    private boolean interrupted;

    /** Guarded by {@link #lock}: the key is claimed and this run may have to release it. */
    private boolean active;

    /** Guarded by {@link #lock}. */
    private Process child;

    private volatile boolean normalExit;

    CommandRunner(List<String> command, int outputLines, boolean rememberFailures) {
        this.command = List.copyOf(command);
        this.outputLines = outputLines;
        this.rememberFailures = rememberFailures;
    }

    /** Installs the shutdown hook that forwards SIGINT/SIGTERM; call before claiming. */
    void installSignalForwarding() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::onShutdown, "idempotent-signal"));
    }

    /** The engine returned (the key is recorded or released): a pending shutdown may proceed. */
    void finished() {
        synchronized (lock) {
            active = false;
        }
        finished.countDown();
    }

    /** {@code idempotent} itself exits now: the shutdown hook has nothing to do. */
    void exiting() {
        normalExit = true;
    }

    /**
     * Runs the command once (called by the engine with the key claimed).
     *
     * @return the record of a run that exited with 0 (or any code with {@code --remember-failures})
     * @throws CommandFailedException the command exited with another code: the key is released
     * @throws RunInterruptedException {@code idempotent} got SIGINT or SIGTERM: the key is released
     * @throws CommandStartException the command could not be started
     */
    RunRecord run(String key) throws CommandFailedException, RunInterruptedException, CommandStartException {
        Instant startedAt = Instant.now();
        Process process;
        synchronized (lock) {
            if (interrupted) {
                throw new RunInterruptedException();
            }
            active = true;
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put("IDEMPOTENT_KEY", key);
            try {
                process = builder.start();
            } catch (IOException e) {
                throw CommandStartException.of(command, e);
            }
            child = process;
        }
        OutputTail tail = new OutputTail(outputLines);
        Thread out = pump(process.getInputStream(), new FileOutputStream(FileDescriptor.out), tail, "stdout");
        Thread err = pump(process.getErrorStream(), new FileOutputStream(FileDescriptor.err), tail, "stderr");
        int exitCode = waitFor(process);
        join(out, err);
        Instant endedAt = Instant.now();
        synchronized (lock) {
            child = null;
            if (interrupted) {
                throw new RunInterruptedException();
            }
        }
        RunRecord record = new RunRecord(key, command, exitCode, startedAt, endedAt, Hosts.name(),
                System.getProperty("user.name"), Path.of("").toAbsolutePath().toString(), tail.lines());
        if (exitCode != 0 && !rememberFailures) {
            throw new CommandFailedException(record);
        }
        return record;
    }

    private static int waitFor(Process process) {
        boolean interruptedWhileWaiting = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interruptedWhileWaiting = true;
                }
            }
        } finally {
            if (interruptedWhileWaiting) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void join(Thread... pumps) {
        long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
        for (Thread pump : pumps) {
            try {
                pump.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Thread pump(InputStream from, OutputStream to, OutputTail tail, String name) {
        OutputTail.Sink sink = tail.sink();
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            boolean terminalOpen = true;
            try (from) {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    if (terminalOpen) {
                        try {
                            to.write(buffer, 0, n);
                            to.flush();
                        } catch (IOException e) {
                            // Our own output was closed (e.g. `| head`): keep draining so the command is not blocked.
                            terminalOpen = false;
                        }
                    }
                    sink.write(buffer, n);
                }
            } catch (IOException e) {
                // the pipe was closed: the command is gone
            } finally {
                sink.close();
            }
        }, "idempotent-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void onShutdown() {
        if (normalExit) {
            return;
        }
        Process process;
        boolean claimHeld;
        synchronized (lock) {
            interrupted = true;
            process = child;
            claimHeld = active;
        }
        if (process != null) {
            terminate(process);
        }
        if (claimHeld) {
            try {
                finished.await(GRACE + 10_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM to the command and its descendants; SIGKILL to whatever is left after the grace period. */
    private static void terminate(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(GRACE, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** The command exited with a non-zero code; its key is released so that a retry runs it again. */
    static final class CommandFailedException extends Exception {

        private final transient RunRecord record;

        CommandFailedException(RunRecord record) {
            super("exit " + record.exitCode(), null, false, false);
            this.record = record;
        }

        RunRecord record() {
            return record;
        }
    }

    /** {@code idempotent} got SIGINT or SIGTERM while it held the key: the run is not recorded. */
    static final class RunInterruptedException extends Exception {

        RunInterruptedException() {
            super("interrupted", null, false, false);
        }
    }

    /** The command could not be started at all: not found (127) or not executable (126). */
    static final class CommandStartException extends Exception {

        private final int exitCode;

        private CommandStartException(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        static CommandStartException of(List<String> command, IOException e) {
            String program = command.get(0);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            String lower = reason.toLowerCase(Locale.ROOT);
            boolean notFound = lower.contains("no such file") || lower.contains("error=2,")
                    || (program.indexOf('/') >= 0 && !Files.exists(Path.of(program)));
            return new CommandStartException("cannot run " + CommandLines.quote(program) + ": "
                    + (notFound ? "command not found" : reason), notFound ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE, e);
        }

        int exitCode() {
            return exitCode;
        }
    }
}
