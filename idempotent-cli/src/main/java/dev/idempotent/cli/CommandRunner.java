package dev.idempotent.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;

/**
 * Runs the command of {@code idempotent run} as a child process: standard input inherited, standard
 * output and error copied through to ours while their last lines are kept (or inherited as they are,
 * with {@code --output-lines 0}).
 *
 * <p><b>Signals.</b> SIGINT, SIGTERM and SIGHUP no longer end the JVM at once. While the command runs,
 * the first one is sent on to the command and its descendants as SIGTERM; whatever of them is left after
 * {@code --kill-after} is killed, and the run waits for that before it releases its key (instead of
 * recording it); {@code idempotent} then exits with 128 + the signal's number (130 for SIGINT, 143 for
 * SIGTERM). A command that ends by one of these signals on its own (Ctrl-C reaches the whole foreground
 * process group) counts as interrupted too. Before the command starts, a signal stops the run before its
 * next claim (see {@link SignalAwareStore}); once the command has exited, its outcome is stored as it is.
 * A second signal kills the command at once, or, before the command started, exits at once; after the
 * command exited, it takes a third (exiting then would lose the outcome being stored). A {@code kill -9}
 * of {@code idempotent} cannot be handled: the command keeps running, and the key stays in flight until
 * its lease ends.
 */
final class CommandRunner {

    /** How long the output may stay silent after the command exited before a process holding it open is given up on. */
    private static final long OUTPUT_IDLE_MILLIS = 2000;

    /** How long a signal sent to the process group may take to reach {@link #onSignal} (see {@link #awaitSignalDelivery}). */
    private static final long SIGNAL_DELIVERY_MILLIS = 100;

    /** How often the command's descendants are looked up while it runs (see {@link ProcessFamily}). */
    private static final long FAMILY_REFRESH_MILLIS = 100;

    /** The signals {@code idempotent run} handles itself, by name. */
    private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");

    /** Where the run is, for what a signal does. */
    private enum Phase {
        /** Connecting, claiming, waiting for another run: nothing runs yet. */
        BEFORE,
        /** The command runs. */
        RUNNING,
        /** The command has exited: its output is passed on and its outcome stored. */
        FINISHED
    }

    private final List<String> command;

    private final int outputLines;

    private final boolean rememberFailures;

    /** How long an interrupted command may take to exit after SIGTERM before it is killed. */
    private final long graceMillis;

    private final PrintStream err = System.err;

    private final Object lock = new Object();

    /** Guarded by {@link #lock}: the number of the first signal received, 0 while none. */
    private int signal;

    /** Guarded by {@link #lock}: how many signals were received. */
    private int signals;

    /** Guarded by {@link #lock}. */
    private Phase phase = Phase.BEFORE;

    /** Guarded by {@link #lock}: the command and the processes it started; null before it starts. */
    private @Nullable ProcessFamily family;

    /** Guarded by {@link #lock}: the run's key, once it is claimed. */
    private @Nullable String key;

    /** Guarded by {@link #lock}: the command has finished, and the run counts as interrupted. */
    private boolean releasing;

    CommandRunner(List<String> command, int outputLines, boolean rememberFailures, Duration grace) {
        this.command = List.copyOf(command);
        this.outputLines = outputLines;
        this.rememberFailures = rememberFailures;
        this.graceMillis = grace.toMillis();
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

    private int signals() {
        synchronized (lock) {
            return signals;
        }
    }

    /**
     * Runs the command once (called by the engine with the key claimed).
     *
     * @return the record of a run that exited with 0 (or any code with {@code --remember-failures})
     * @throws CommandFailedException the command exited with another code: the key is released
     * @throws RunInterruptedException a signal arrived while it ran, or ended it: the key is released
     * @throws CommandStartException the command could not be started
     */
    RunRecord run(String key) throws CommandFailedException, RunInterruptedException, CommandStartException {
        Instant startedAt = Instant.now();
        Process process;
        ProcessFamily started;
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
            started = new ProcessFamily(process.toHandle(), graceMillis);
            family = started;
            this.key = key;
            phase = Phase.RUNNING;
        }
        OutputTail tail = new OutputTail(outputLines);
        List<OutputPump> pumps = outputLines == 0
                ? List.of()
                : List.of(
                        OutputPump.stdout(process.getInputStream(), tail),
                        OutputPump.stderr(process.getErrorStream(), tail));
        int exitCode = waitFor(process, started);
        Instant endedAt = Instant.now();
        awaitSignalDelivery();
        RunInterruptedException interruption;
        int signalsAtExit;
        synchronized (lock) {
            phase = Phase.FINISHED;
            interruption = signal != 0
                    ? new RunInterruptedException(signal, true)
                    : RunInterruptedException.isSignalExit(exitCode)
                            ? new RunInterruptedException(exitCode - 128, false)
                            : null;
            signalsAtExit = signals;
            releasing = interruption != null;
        }
        if (interruption != null) {
            // no part of an interrupted command may still run when its key is released
            started.terminate();
            awaitGone(started);
        }
        // a signal from now on stops the waiting for output, not the run: the command has finished
        boolean drained = OutputPump.drain(pumps, OUTPUT_IDLE_MILLIS, () -> signals() > signalsAtExit);
        if (!drained && signals() == signalsAtExit) {
            err.println("idempotent: warning: " + CommandLines.quote(command.get(0)) + " exited, but a process it"
                    + " started still holds its output open; not waiting for it (what it writes from now on is lost:"
                    + " redirect its output, or use --output-lines 0)");
        }
        if (interruption != null) {
            throw interruption;
        }
        RunRecord record = new RunRecord(
                key,
                command,
                exitCode,
                startedAt,
                endedAt,
                Hosts.name(),
                System.getProperty("user.name"),
                Path.of("").toAbsolutePath().toString(),
                tail.lines());
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

    /** Waits for the command to exit, looking up its descendants meanwhile and killing them all when due. */
    private static int waitFor(Process process, ProcessFamily family) {
        boolean interruptedWhileWaiting = false;
        try {
            while (true) {
                try {
                    if (process.waitFor(FAMILY_REFRESH_MILLIS, TimeUnit.MILLISECONDS)) {
                        return process.exitValue();
                    }
                    family.refresh();
                    family.killIfDue();
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

    private static void awaitGone(ProcessFamily family) {
        try {
            family.awaitGone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On a thread the JVM starts for the signal. */
    private void onSignal(int number) {
        int count;
        Phase now;
        ProcessFamily processes;
        boolean releasingNow;
        String claimed;
        synchronized (lock) {
            count = ++signals;
            if (signal == 0) {
                signal = number;
            }
            now = phase;
            processes = family;
            releasingNow = releasing;
            claimed = key;
        }
        if (count == 1) {
            if (now == Phase.RUNNING && processes != null) { // RUNNING: the family is set
                processes.terminate(); // killed when due by the thread waiting for the command
            }
            // before the command, the run stops before its next claim (SignalAwareStore); after it, nothing is stopped
        } else if (processes != null && processes.kill()) {
            err.println("idempotent: interrupted again; killing " + CommandLines.quote(command.get(0)));
        } else if (now == Phase.BEFORE || count > 2) {
            err.println("idempotent: interrupted again; exiting now"
                    + (now == Phase.BEFORE
                            ? ""
                            : " without storing the outcome of the run: its key stays in flight until its lease ends"));
            Runtime.getRuntime().halt(128 + signal());
        } else {
            err.println("idempotent: "
                    + (releasingNow
                            ? "releasing " + claimed
                            : CommandLines.quote(command.get(0)) + " has finished; storing the outcome of the run")
                    + " (interrupt once more to exit at once: the key then stays in flight until its lease ends)");
        }
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
            return name(signal);
        }

        static String name(int signal) {
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
            boolean notFound = lower.contains("no such file")
                    || lower.contains("error=2,")
                    || (program.indexOf('/') >= 0 && !Files.exists(Path.of(program)));
            return new CommandStartException(
                    "cannot run " + CommandLines.quote(program) + ": " + (notFound ? "command not found" : reason),
                    notFound ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE,
                    e);
        }

        int exitCode() {
            return exitCode;
        }
    }
}
