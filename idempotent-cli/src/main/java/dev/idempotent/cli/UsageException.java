package dev.idempotent.cli;

/** The command line is wrong: exit {@value ExitCodes#USAGE} with the message. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
