package dev.idempotent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging of the command line: everything (Spring and the engine through commons-logging and SLF4J,
 * Lettuce and Netty through SLF4J) ends in {@code java.util.logging}, printed on stderr as
 * {@code idempotent: warning: ...} lines; warnings and errors only unless {@code IDEMPOTENT_LOG} says
 * {@code info}, {@code debug}, {@code trace}, {@code error} or {@code off}.
 */
final class Logging {

    /**
     * The MariaDB driver logs every SQL error it returns as a warning, including the expected "table does not
     * exist" on a first run; the store reports real failures itself. Held here: JUL keeps loggers weakly.
     */
    private static final Logger MARIADB = Logger.getLogger("org.mariadb.jdbc");

    /**
     * The engine's warning that the store failed and the operation did not run speaks to Spring applications
     * ("on-store-failure=fail-closed") and repeats what the command line says itself ("store unavailable");
     * its other warnings (a lost claim, a failed release) still show. Held here, as above.
     */
    private static final Logger ENGINE = Logger.getLogger("dev.idempotent.engine.IdempotencyEngine");

    private Logging() {}

    static void configure(String setting) {
        String name = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
        Level level = switch (name) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "error" -> Level.SEVERE;
            case "off" -> Level.OFF;
            default -> Level.WARNING;
        };
        boolean verbose = level.intValue() <= Level.FINE.intValue();
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    System.err.print(getFormatter().format(record));
                    System.err.flush();
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
                // stderr stays open
            }
        };
        handler.setLevel(level);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                StringBuilder line = new StringBuilder("idempotent: ")
                        .append(levelName(record.getLevel()))
                        .append(": ");
                if (verbose) {
                    line.append('[').append(record.getLoggerName()).append("] ");
                }
                line.append(formatMessage(record));
                Throwable thrown = record.getThrown();
                if (thrown != null && !verbose) {
                    line.append(" (").append(Stores.describe(thrown)).append(')');
                }
                line.append(System.lineSeparator());
                if (thrown != null && verbose) {
                    StringWriter trace = new StringWriter();
                    thrown.printStackTrace(new PrintWriter(trace));
                    line.append(trace);
                }
                return line.toString();
            }
        });
        root.addHandler(handler);
        if (!verbose && level.intValue() < Level.SEVERE.intValue()) {
            MARIADB.setLevel(Level.SEVERE);
            ENGINE.setFilter(record -> record.getLevel().intValue() >= Level.SEVERE.intValue()
                    || record.getMessage() == null
                    || !record.getMessage().contains("(on-store-failure=fail-closed)"));
        }
    }

    private static String levelName(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "warning";
        }
        return level.intValue() >= Level.INFO.intValue() ? "info" : "debug";
    }
}
