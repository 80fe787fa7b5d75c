package dev.idempotent.demo;

import dev.idempotent.BatchReport;
import java.nio.file.Path;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs the file export from the command line when {@code export.source} is given, prints the skip
 * report, and makes the exit code say whether every file is exported (0) or some failed (1).
 *
 * <pre>
 * java -jar demo-app.jar --spring.profiles.active=export --export.source=in --export.target=out
 * </pre>
 */
@Component
@ConditionalOnProperty("export.source")
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
        Path source = Path.of(environment.getRequiredProperty("export.source"));
        Path target = Path.of(environment.getProperty("export.target", "export-out"));
        BatchReport report = job.export(source, target);
        System.out.println("export " + source + " -> " + target + ": " + report.summary());
        report.failures().forEach(f -> System.out.println("  failed: " + f.key() + ": " + f.error().getMessage()));
        exitCode = report.isSuccess() ? 0 : 1;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
