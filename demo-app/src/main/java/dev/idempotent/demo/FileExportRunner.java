package dev.idempotent.demo;

import dev.idempotent.BatchReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs the file export from the command line (profile {@code export}), prints the skip report, and makes
 * the exit code say whether every file is exported (0) or some failed (1). Without {@code export.source}
 * it exports {@code ~/.idempotent-demo/in}, created with three sample files if it does not exist, to
 * {@code ~/.idempotent-demo/out}: nothing is written inside the repository.
 *
 * <pre>
 * java -jar demo-app.jar --spring.profiles.active=export [--export.source=DIR] [--export.target=DIR]
 * </pre>
 */
@Component
@Profile("export")
public class FileExportRunner implements ApplicationRunner, ExitCodeGenerator {

    private final FileExportJob job;

    private final Environment environment;

    private volatile int exitCode;

    public FileExportRunner(FileExportJob job, Environment environment) {
        this.job = job;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        Path home = Path.of(System.getProperty("user.home"), ".idempotent-demo");
        String configuredSource = environment.getProperty("export.source");
        Path source = configuredSource == null ? samples(home.resolve("in")) : Path.of(configuredSource);
        Path target = Path.of(
                environment.getProperty("export.target", home.resolve("out").toString()));
        BatchReport report = job.export(source, target);
        System.out.println("export " + source + " -> " + target + ": " + report.summary());
        report.failures()
                .forEach(f -> System.out.println(
                        "  failed: " + f.key() + ": " + f.error().getMessage()));
        exitCode = report.isSuccess() ? 0 : 1;
    }

    /** The default source: created with three sample files the first time. */
    private static Path samples(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            Files.createDirectories(folder);
            for (String name : new String[] {"a.csv", "b.csv", "c.csv"}) {
                Files.writeString(folder.resolve(name), "sample " + name + "\n");
            }
            System.out.println("created " + folder + " with 3 sample files");
        }
        return folder;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
