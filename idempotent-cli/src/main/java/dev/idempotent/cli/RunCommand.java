package dev.idempotent.cli;

import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.IdempotentResult;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Keys;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code idempotent run --key KEY -- COMMAND [ARGS...]}: runs the command at most once per key. Every
 * decision (claim, replay, key reuse, in flight, waiting, release, lease renewal, fencing) is the
 * {@link IdempotencyEngine}'s; this class runs the command and turns outcomes into messages and exit codes.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        headerHeading = "%n",
        header = "Run COMMAND once per KEY: a repeat prints what already ran and exits 0.",
        synopsisHeading = "Usage: ",
        description = {
            "",
            "Claims KEY, runs COMMAND with this terminal's stdin, stdout and stderr, renews the claim while it"
                    + " runs, and on exit code 0 records the run (exit code, times, host, user, command line,"
                    + " last lines of output) for --ttl. A later run with the same KEY prints one line to stderr"
                    + " and exits 0 without running COMMAND. A non-zero exit releases KEY, so a retry runs again,"
                    + " and passes the exit code through. The command sees IDEMPOTENT_KEY=KEY.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ran and succeeded, or already done (skipped)",
            "N:the command's own exit code (it ran and failed; KEY is released)",
            "64:usage error",
            "65:KEY was first used for another command line (key reuse)",
            "69:the store is unreachable",
            "75:another run holds KEY (--on-in-flight fail, or the wait timed out)",
            "126, 127:COMMAND cannot be executed, or was not found",
            "129, 130, 143:interrupted by SIGHUP, SIGINT or SIGTERM (sent on to COMMAND as SIGTERM), or COMMAND was ended by one of them: not recorded, KEY is released"
        })
final class RunCommand implements Callable<Integer> {

    /** The namespace of the CLI's keys: the store key of {@code --key K} is {@code run:K}. */
    static final String NAMESPACE = "run";

    /** What a run on another machine does while this one holds the key. */
    enum InFlight {
        /** Wait for it: then skip if it succeeded, or run if it failed. */
        WAIT,
        /** Exit 75 at once. */
        FAIL,
        /** Exit 0 at once without running. */
        SKIP
    }

    @Mixin
    StoreOption store;

    @Option(
            names = "--key",
            order = 1,
            required = true,
            paramLabel = "KEY",
            description = "What makes two runs \"the same\", e.g. deploy-$GIT_SHA-prod.")
    String key;

    @Option(
            names = "--ttl",
            order = 2,
            paramLabel = "DURATION",
            defaultValue = "30d",
            converter = DurationConverter.class,
            description = "How long a finished run is remembered (default: ${DEFAULT-VALUE}). Units: ms, s, m, h, d.")
    Duration ttl;

    @Option(
            names = "--lease",
            order = 3,
            paramLabel = "DURATION",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description = "How long the claim holds without renewal; renewed every third of it while COMMAND runs."
                    + " If idempotent is killed (kill -9, power loss), KEY is free again when it ends"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(
            names = "--on-in-flight",
            order = 4,
            paramLabel = "wait|fail|skip",
            defaultValue = "wait",
            description = "When another run holds KEY: wait for it, then skip (or run, if it failed); fail with exit"
                    + " 75; or skip with exit 0 (default: ${DEFAULT-VALUE}).")
    InFlight onInFlight;

    @Option(
            names = "--wait-timeout",
            order = 5,
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description = "How long --on-in-flight wait waits before exit 75 (default: ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    @Option(
            names = "--remember-failures",
            order = 6,
            description = "Record a non-zero exit too instead of releasing KEY: later runs skip, printing the"
                    + " recorded exit code and exiting with it, until the record is forgotten or expires.")
    boolean rememberFailures;

    @Option(
            names = "--output-lines",
            order = 7,
            paramLabel = "N",
            defaultValue = "20",
            description =
                    "How many of the last lines of output to record, at most 1000 (default: ${DEFAULT-VALUE}). 0 records"
                            + " none and gives COMMAND this terminal's stdout and stderr as they are, as a process it"
                            + " starts in the background may need.")
    int outputLines;

    @Option(
            names = "--kill-after",
            order = 8,
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "When the run is interrupted (SIGINT, SIGTERM, SIGHUP), how long COMMAND and its child"
                    + " processes get after SIGTERM before they are killed; 1ms kills at once (default: ${DEFAULT-VALUE},"
                    + " within the 10 s that docker stop and most supervisors give idempotent itself).")
    Duration killAfter;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, after --.")
    List<String> command;

    private final PrintStream err = System.err;

    @Override
    public Integer call() {
        if (key.isBlank()) {
            throw new UsageException("--key must not be blank");
        }
        if (outputLines < 0 || outputLines > 1000) {
            throw new UsageException("--output-lines must be between 0 and 1000, was " + outputLines);
        }
        CommandRunner runner = new CommandRunner(command, outputLines, rememberFailures, killAfter);
        runner.installSignalHandlers();
        try (OpenStore open = store.open();
                IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED)) {
            return run(open.store(), engine, runner);
        } catch (IdempotencyStoreUnavailableException e) {
            int signal = runner.signal();
            if (signal == 0) {
                throw e;
            }
            // the store did not answer in time, and the user did not want to wait for it either
            err.println("idempotent: interrupted by " + CommandRunner.RunInterruptedException.name(signal)
                    + " while the store did not answer (" + Stores.describe(e) + "); not running "
                    + CommandLines.display(command));
            return 128 + signal;
        }
    }

    private int run(IdempotencyStore store, IdempotencyEngine engine, CommandRunner runner) {
        RunRecordCodec codec = new RunRecordCodec(Json.MAPPER);
        String storeKey = Keys.qualify(NAMESPACE, key, store.maxKeyLength());
        String fingerprint = CommandLines.fingerprint(command);
        SignalAwareStore guarded = new SignalAwareStore(store, runner::signal, held -> {
            if (onInFlight == InFlight.WAIT && fingerprint.equals(held.fingerprint())) {
                err.println("idempotent: " + key + " "
                        + RecordView.of(key, storeKey, held, codec).summary() + "; waiting for it, at most "
                        + Formats.option(waitTimeout) + " (--wait-timeout)");
            }
        });
        IdempotencyRequest request = IdempotencyRequest.builder(NAMESPACE, guarded)
                .key(key)
                .fingerprint(fingerprint)
                .ttl(ttl)
                .lease(lease)
                .waitTimeout(waitTimeout)
                .onInFlight(onInFlight())
                .codec(codec)
                .operation("idempotent run --key " + key)
                .build();
        IdempotentResult<Object> result;
        try {
            result = engine.execute(request, () -> runner.run(key));
        } catch (CommandRunner.CommandFailedException e) {
            return e.record().exitCode();
        } catch (CommandRunner.RunInterruptedException e) {
            String what = e.received()
                    ? "interrupted by " + e.signalName()
                    : CommandLines.quote(command.get(0)) + " was ended by " + e.signalName() + " (exit "
                            + (128 + e.signal()) + ")";
            err.println(
                    "idempotent: " + what + "; " + key + " was not recorded as done" + releaseState(store, storeKey));
            return 128 + e.signal();
        } catch (SignalAwareStore.StoppedBySignalException e) {
            int signal = runner.signal();
            err.println("idempotent: interrupted by " + CommandRunner.RunInterruptedException.name(signal) + " before "
                    + key + " was claimed; not running " + CommandLines.display(command));
            return 128 + signal;
        } catch (CommandRunner.CommandStartException e) {
            err.println("idempotent: " + e.getMessage() + "; " + key + " was released");
            return e.exitCode();
        } catch (IdempotencyKeyReuseException e) {
            err.println("idempotent: " + keyReuse(store, storeKey, codec));
            return ExitCodes.KEY_REUSE;
        } catch (IdempotencyInFlightException e) {
            err.println("idempotent: " + inFlight(store, storeKey, codec, e));
            return ExitCodes.IN_FLIGHT;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return switch (result.outcome()) {
            case EXECUTED, UNPROTECTED -> {
                RunRecord done = runOf(result);
                int signal = runner.signal();
                if (signal != 0) {
                    IdempotencyRecord record = find(store, storeKey);
                    String recorded = record == null || !record.isCompleted()
                            ? " could not be recorded (see above)"
                            : done.exitCode() == 0
                                    ? " is recorded as done"
                                    : " is recorded as failed (--remember-failures)";
                    err.println("idempotent: " + CommandRunner.RunInterruptedException.name(signal) + " arrived after "
                            + CommandLines.quote(command.get(0)) + " had finished (exit " + done.exitCode() + "); "
                            + key
                            + recorded);
                }
                yield done.exitCode();
            }
            case REPLAYED -> {
                RunRecord done = runOf(result);
                err.println("skipped: " + key + " " + RecordView.alreadyRan(done));
                yield done.exitCode();
            }
            case SKIPPED -> {
                err.println("skipped: " + key + " "
                        + skippedInFlight(RecordView.of(key, storeKey, find(store, storeKey), codec))
                        + "; not waiting (--on-in-flight skip)");
                yield ExitCodes.OK;
            }
        };
    }

    /** The run a result holds: never null, since a run returns its record and the codec decodes one. */
    private static RunRecord runOf(IdempotentResult<Object> result) {
        return (RunRecord) Objects.requireNonNull(result.value(), "the record of the run");
    }

    /** Why a run with --on-in-flight skip did not run: the other run, as it is now. */
    private static String skippedInFlight(RecordView view) {
        if (view.record() == null) {
            return "was running elsewhere (it has ended since, and was not recorded)";
        }
        if (view.record().isInProgress()) {
            return view.summary() + " elsewhere";
        }
        return "was running elsewhere (it has ended since: " + view.summary() + ")";
    }

    /** After an interrupted run: whether the key is free again, as far as the store says. */
    private static String releaseState(IdempotencyStore store, String storeKey) {
        IdempotencyRecord record;
        try {
            record = store.find(storeKey).orElse(null);
        } catch (RuntimeException e) {
            return " (cannot tell whether it was released: " + Stores.describe(e) + ")";
        }
        if (record == null) {
            return "; it is released, so the next run runs the command";
        }
        if (record.isInProgress()) {
            return ", but it is still claimed until " + Formats.time(record.leaseExpiresAt())
                    + " (it could not be released, or another run has claimed it since)";
        }
        return "; another run has completed it since";
    }

    private OnInFlight onInFlight() {
        return switch (onInFlight) {
            case WAIT -> OnInFlight.WAIT;
            case FAIL -> OnInFlight.REJECT;
            case SKIP -> OnInFlight.SKIP;
        };
    }

    private String keyReuse(IdempotencyStore store, String storeKey, RunRecordCodec codec) {
        RecordView view = RecordView.of(key, storeKey, find(store, storeKey), codec);
        String recorded = view.commandLine() == null ? "another command line" : view.commandLine();
        String detail;
        if (view.run() != null) {
            detail = " (ran at " + Formats.time(view.run().startedAt()) + " on "
                    + view.run().host() + ", exit " + view.run().exitCode() + ")";
        } else if (view.record() != null && view.record().isInProgress()) {
            detail = " (running since " + Formats.time(view.record().createdAt()) + ")";
        } else {
            detail = "";
        }
        return "key reuse: " + key + " was first used for: " + recorded + detail + "; this command is: "
                + CommandLines.display(command) + ". Not running it. Use another key for another command, or"
                + " 'idempotent forget " + CommandLines.quote(key) + "' to drop the record";
    }

    private String inFlight(
            IdempotencyStore store, String storeKey, RunRecordCodec codec, IdempotencyInFlightException e) {
        RecordView view = RecordView.of(key, storeKey, find(store, storeKey), codec);
        String what = view.record() == null ? "was running elsewhere" : view.summary();
        String lease = e.getLeaseExpiresAt() == null
                ? ""
                : "; its lease ends at " + Formats.time(e.getLeaseExpiresAt()) + " unless renewed";
        return onInFlight == InFlight.WAIT
                ? key + " " + what + ", still after waiting " + Formats.option(waitTimeout) + lease
                        + ". Not running it; retry later or wait longer (--wait-timeout)"
                : key + " " + what + lease + ". Not running it (--on-in-flight fail); retry later";
    }

    private static @Nullable IdempotencyRecord find(IdempotencyStore store, String storeKey) {
        try {
            return store.find(storeKey).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
