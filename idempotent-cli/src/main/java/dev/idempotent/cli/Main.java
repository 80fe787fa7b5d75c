package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code idempotent} executable: {@code run}, {@code status}, {@code forget}, {@code list}. Exit codes
 * are documented by {@code idempotent run --help} (sysexits: 64 usage, 65 key reuse, 69 store
 * unavailable, 75 in flight).
 */
@Command(
        name = "idempotent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        headerHeading = "%n",
        header = "Run a shell command at most once per key, on the stores you already run.",
        synopsisHeading = "Usage: ",
        description = {"", "  idempotent run --key deploy-$GIT_SHA-prod -- ./deploy.sh prod", ""},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {
            "Store: --store URL or IDEMPOTENT_STORE (jdbc:postgresql://..., jdbc:mariadb://..., redis://...);"
                    + " default: an embedded H2 file in ~/.idempotent. IDEMPOTENT_LOG=debug shows what happens."
        },
        subcommands = {
            RunCommand.class,
            StatusCommand.class,
            ForgetCommand.class,
            ListCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        Logging.configure(System.getenv("IDEMPOTENT_LOG"));
        if (Arrays.stream(args).anyMatch(arg -> arg.indexOf('\uFFFD') >= 0)) {
            // bytes that are not text in the locale's charset all became U+FFFD: different keys would look the same
            String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
            System.err.println("idempotent: some arguments are not valid " + charset + " text (or contain U+FFFD),"
                    + " so they cannot be read exactly and two different keys could look the same; "
                    + (isUtf8(charset)
                            ? "pass them as UTF-8"
                            : "run it in a UTF-8 locale, e.g. LC_ALL=C.UTF-8 (bin/idempotent switches to C.UTF-8 itself"
                                    + " where that locale is installed)"));
            System.exit(ExitCodes.USAGE);
        }
        System.exit(execute(args));
    }

    private static boolean isUtf8(String charset) {
        String name = charset.toUpperCase(Locale.ROOT);
        return name.equals("UTF-8") || name.equals("UTF8");
    }

    /** Runs one command line and returns its exit code (never exits the JVM). */
    static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // a command's own arguments may start with @ (curl -d @body.json): never read them as argument files
        commandLine.setExpandAtFiles(false);
        Objects.requireNonNull(commandLine.getSubcommands().get("run"), "the run subcommand")
                .setStopAtPositional(true);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("idempotent: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            int code;
            if (e instanceof UsageException) {
                err.println("idempotent: " + e.getMessage());
                code = ExitCodes.USAGE;
            } else if (e instanceof IdempotencyStoreUnavailableException) {
                err.println("idempotent: store unavailable: " + Stores.describe(e));
                code = ExitCodes.STORE_UNAVAILABLE;
            } else {
                err.println("idempotent: error: " + Stores.describe(e));
                if ("debug".equalsIgnoreCase(System.getenv("IDEMPOTENT_LOG"))) {
                    e.printStackTrace(err);
                }
                code = ExitCodes.INTERNAL;
            }
            err.flush();
            return code;
        });
        return commandLine.execute(args);
    }

    /** Without a subcommand: the usage, and exit 64. */
    @Override
    public Integer call() {
        CommandLine commandLine = new CommandLine(this);
        commandLine.usage(System.err);
        return ExitCodes.USAGE;
    }

    /** The version of this build. */
    static final class Version implements IVersionProvider {

        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"idempotent " + properties.getProperty("version", "unknown")};
        }
    }
}
