package dev.idempotent.demo;

import dev.idempotent.BatchReport;
import dev.idempotent.IdempotencyOptions;
import dev.idempotent.IdempotencyTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Copies every file of a folder to an output folder, each file (each version of its content) once: run it
 * again, and the files already exported are skipped and counted as such.
 */
@Component
public class FileExportJob {

    private final IdempotencyTemplate idempotency;

    public FileExportJob(IdempotencyTemplate idempotency) {
        this.idempotency = idempotency;
    }

    /** Exports the regular files of {@code source} (recursively) into {@code target}. */
    public BatchReport export(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            throw new IllegalArgumentException("export source '" + source + "' is not a folder");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        IdempotencyOptions options = IdempotencyOptions.named("file-export").ttl(Duration.ofDays(30));
        return idempotency.runEach(
                files,
                file -> source.relativize(file) + "@" + sha256(file),
                options,
                file -> copy(file, target.resolve(source.relativize(file).toString())));
    }

    private static void copy(Path file, Path destination) {
        try {
            Files.createDirectories(destination.getParent());
            Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy " + file + " to " + destination, e);
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            MessageDigest digest = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
