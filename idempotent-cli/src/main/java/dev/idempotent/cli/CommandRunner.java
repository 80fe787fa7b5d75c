package dev.idempotent.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * Runs the command of {@code idempotent run} as a child process: standard input inherited, standard
 * output and error copied through to ours while their last lines are kept (or inherited as they are,
 * with {@code --output-lines 0}).
 *
 * <p><b>Signals.</b> SIGINT, SIGTERM and SIGHUP no longer end the JVM at once: the first one is sent on
 * to the command and its descendants as SIGTERM (SIGKILL for what is left after {@link #GRACE_MILLIS}),
 * and the run stops at its next step: it releases its key instead of recording it, and {@code idempotent}
 * exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). A command that ends by one
 * of these signals on its own (Ctrl-C reaches the whole foreground process group) counts as interrupted
 * too. A second signal kills the command at once, or, if no command runs, exits at once. A
 * {@code kill -9} of {@code idempotent} cannot be handled: the command keeps running, and the key stays
 * in flight until its lease ends.
 */
final class CommandRunner {

    /** How long an interrupted command may take to exit after SIGTERM before it is killed. */
    static final long GRACE_MILLIS = TimeUnit.SECONDS.toMillis(10);

    /** How long a signal sent to the process group may take to reach {@link #onSignal} (see {@link #awaitSignalDelivery}). */
    private static final long SIGNAL_DELIVERY_MILLIS = 50;

    /** The signals {@code idempotent run} handles itself, by name. */
    private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");

    private final List<String> command;

    private final int outputLines;

    private final boolean rememberFailures;

    private final PrintStream err = System.err;

    private final Object lock = new Object();

    /** Guarded by {@link #lock}: the number of the first signal received, 0 while none. */
    private int signal;

    /** Guarded by {@link #lock}: the running command. */
    private Process child;

    /** Guarded by {@link #lock}: the command and its descendants when the first signal arrived. */
    private List<ProcessHandle> terminated = List.of();

    CommandRunner(List<String> command, int outputLines, boolean rememberFailures) {
        this.command = List.copyOf(command);
        this.outputLines = outputLines;
        this.rememberFailures = rememberFailures;
    }

    /** Takes over SIGINT, SIGTERM and SIGHUP (those not ignored, as {@code nohup} does with SIGHUP); call before claiming. */
    void installSignalHandlers() {
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), received -> onSignal(received.getNumber()));
            } catch (IllegalArgumentException e) {
                // ignored, or reserved by the JVM (-Xrs): left as it is
            }
        }
    }

    /** The number of the first signal received, 0 if none. */
    int signal() {
        synchronized (lock) {
            return signal;
        }
    }

    /**
     * Runs the command once (called by the engine with the key claimed).
     *
     * @return the record of a run that exited with 0 (or any code with {@code --remember-failures})
     * @throws CommandFailedException the command exited with another code: the key is released
     * @throws RunInterruptedException a signal arrived, or ended the command: the key is released
     * @throws CommandStartException the command could not be started
     */
    RunRecord run(String key) throws CommandFailedException, RunInterruptedException, CommandStartException {
        Instant startedAt = Instant.now();
        Process process;
        synchronized (lock) {
            if (signal != 0) {
                throw new RunInterruptedException(signal, true);
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
            if (outputLines == 0) {
                builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            }
            restoreLauncherLocale(builder.environment());
            builder.environment().put("IDEMPOTENT_KEY", key);
            try {
                process = builder.start();
            } catch (IOException e) {
                throw CommandStartException.of(command, e);
            }
            child = process;
        }
        OutputTail tail = new OutputTail(outputLines);
        List<OutputPump> pumps = outputLines == 0 ? List.of()
                : List.of(OutputPump.stdout(process.getInputStream(), tail), OutputPump.stderr(process.getErrorStream(), tail));
        int exitCode = waitFor(process);
        OutputPump.drain(pumps);
        Instant endedAt = Instant.now();
        if (exitCode == 0 || rememberFailures) {
            awaitSignalDelivery();
        }
        int received;
        synchronized (lock) {
            child = null;
            received = signal;
        }
        if (received != 0) {
            throw new RunInterruptedException(received, true);
        }
        if (RunInterruptedException.isSignalExit(exitCode)) {
            throw new RunInterruptedException(exitCode - 128, false);
        }
        RunRecord record = new RunRecord(key, command, exitCode, startedAt, endedAt, Hosts.name(),
                System.getProperty("user.name"), Path.of("").toAbsolutePath().toString(), tail.lines());
        if (exitCode != 0 && !rememberFailures) {
            throw new CommandFailedException(record);
        }
        return record;
    }

    /**
     * The launcher script runs the JVM in a UTF-8 locale (so that arguments reach it intact) and says what
     * it changed: the command gets the caller's locale back.
     */
    static void restoreLauncherLocale(Map<String, String> environment) {
        if (environment.remove("IDEMPOTENT_LAUNCHER_LC_ALL") == null) {
            return;
        }
        String original = environment.remove("IDEMPOTENT_ORIGINAL_LC_ALL");
        if (original == null) {
            environment.remove("LC_ALL");
        } else {
            environment.put("LC_ALL", original);
        }
    }

    /**
     * A signal to the whole process group (Ctrl-C, a CI runner cancelling a job) reaches the command and
     * {@code idempotent} at the same moment, but the JVM hands it to {@link #onSignal} on a thread it
     * starts for it, and a command that handles it quickly and exits 0 can be faster. Before a run is
     * recorded, that signal gets a moment to arrive, so that an interrupted run is not recorded as done.
     */
    private void awaitSignalDelivery() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SIGNAL_DELIVERY_MILLIS);
        while (signal() == 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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

    /** On the JVM's signal thread: never blocks it. */
    private void onSignal(int number) {
        boolean again;
        Process process;
        List<ProcessHandle> family;
        synchronized (lock) {
            again = signal != 0;
            if (!again) {
                signal = number;
            }
            process = child;
            if (process != null && !again) {
                terminated = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
            }
            family = terminated;
        }
        if (process != null && !again) {
            // SIGTERM only: Process.destroy() would also close the pipes, losing what the command prints as it ends
            family.forEach(ProcessHandle::destroy);
            Thread grace = new Thread(() -> killAfterGrace(process, family), "idempotent-grace");
            grace.setDaemon(true);
            grace.start();
        } else if (process != null) {
            err.println("idempotent: interrupted again; killing " + CommandLines.quote(command.get(0)));
            kill(family);
        } else if (again) {
            err.println("idempotent: interrupted again; exiting now (a claimed key stays in flight until its lease ends)");
            Runtime.getRuntime().halt(128 + number);
        }
        // else: no command runs yet; the run stops before its next store step (see SignalAwareStore)
    }

    private static void killAfterGrace(Process process, List<ProcessHandle> family) {
        try {
            if (!process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                kill(family);
            }
        } catch (InterruptedException e) {
            kill(family);
        }
    }

    private static void kill(List<ProcessHandle> family) {
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
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

    /** A signal interrupted the run (or ended the command): it is not recorded, and its key is released. */
    static final class RunInterruptedException extends Exception {

        private final int signal;

        private final boolean received;

        RunInterruptedException(int signal, boolean received) {
            super("interrupted by signal " + signal, null, false, false);
            this.signal = signal;
            this.received = received;
        }

        /** Exit codes of a command ended by SIGHUP, SIGINT or SIGTERM, as {@link Process#exitValue()} reports them. */
        static boolean isSignalExit(int exitCode) {
            return exitCode == 129 || exitCode == 130 || exitCode == 143;
        }

        /** The signal's number (2 for SIGINT, 15 for SIGTERM, 1 for SIGHUP). */
        int signal() {
            return signal;
        }

        /** {@code true} if {@code idempotent} received it; {@code false} if only the command did. */
        boolean received() {
            return received;
        }

        /** {@code SIGINT}, {@code SIGTERM}, {@code SIGHUP}, or {@code signal N}. */
        String signalName() {
            return switch (signal) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 15 -> "SIGTERM";
                default -> "signal " + signal;
            };
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
