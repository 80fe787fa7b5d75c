package dev.idempotent.cli;

/**
 * The exit codes of {@code idempotent}, from {@code sysexits.h} where one fits. A run that executes the
 * command exits with the command's own code.
 */
final class ExitCodes {

    /** Ran and succeeded, or already done (skipped), or another run holds the key and skip was asked for. */
    static final int OK = 0;

    /** {@code status}: the key has no record. */
    static final int NO_RECORD = 1;

    /** EX_USAGE: the command line is wrong (unknown option, bad duration, missing key or command). */
    static final int USAGE = 64;

    /** EX_DATAERR: the key was first used for another command line (key reuse). */
    static final int KEY_REUSE = 65;

    /** EX_UNAVAILABLE: the store cannot be reached. */
    static final int STORE_UNAVAILABLE = 69;

    /** EX_SOFTWARE: an unexpected internal error (a bug, or an unreadable record). */
    static final int INTERNAL = 70;

    /** EX_TEMPFAIL: another run holds the key ({@code --on-in-flight fail}, or the wait timed out). */
    static final int IN_FLIGHT = 75;

    /** The command could not be executed (not executable), as in POSIX shells. */
    static final int CANNOT_EXECUTE = 126;

    /** The command was not found, as in POSIX shells. */
    static final int NOT_FOUND = 127;

    private ExitCodes() {}
}
