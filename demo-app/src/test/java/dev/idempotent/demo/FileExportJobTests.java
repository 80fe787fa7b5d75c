package dev.idempotent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempotent.BatchReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The file export copies each file once, and says so. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class FileExportJobTests {

    @Autowired
    FileExportJob job;

    @Test
    void aSecondRunSkipsWhatTheFirstExported(@TempDir Path source, @TempDir Path target) throws Exception {
        Files.writeString(source.resolve("a.csv"), "a " + System.nanoTime());
        Files.writeString(source.resolve("b.csv"), "b " + System.nanoTime());
        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("sub/c.csv"), "c " + System.nanoTime());

        BatchReport first = job.export(source, target);
        Files.delete(target.resolve("a.csv"));
        BatchReport second = job.export(source, target);
        Files.writeString(source.resolve("d.csv"), "d " + System.nanoTime());
        BatchReport third = job.export(source, target);

        assertThat(first.summary()).isEqualTo("3 executed, 0 skipped (already done)");
        assertThat(second.summary()).isEqualTo("0 executed, 3 skipped: all already done");
        assertThat(third.summary()).isEqualTo("1 executed, 3 skipped (already done)");
        assertThat(target.resolve("sub/c.csv")).exists();
        assertThat(target.resolve("a.csv")).doesNotExist();
    }
}
