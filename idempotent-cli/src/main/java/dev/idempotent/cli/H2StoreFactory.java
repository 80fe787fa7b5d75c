package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The JDBC store on H2: the embedded store in {@code $IDEMPOTENT_HOME} (a file shared by the processes of
 * one user on one machine), or an H2 URL; a file database is opened so that several processes take turns.
 */
final class H2StoreFactory {

    private H2StoreFactory() {}

    /** The embedded store: an H2 file in {@link StoreUrls#home(Map)}, its folder created if missing. */
    static OpenStore embedded(Map<String, String> env) {
        Path home = StoreUrls.home(env);
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new IdempotencyStoreUnavailableException(
                    "Cannot create the folder of the embedded store " + home + ": " + e, e);
        }
        Path file = home.resolve("store");
        return create("jdbc:h2:file:" + file.toAbsolutePath(), env);
    }

    /** The store on an H2 URL; a file database must have an absolute path. */
    static OpenStore create(String url, Map<String, String> env) {
        Path file = StoreUrls.embeddedH2File(url);
        if (file == null) {
            return JdbcStoreFactory.create(url, new org.h2.Driver(), env, null);
        }
        if (!file.isAbsolute()) {
            throw new UsageException(
                    "The H2 file of '" + StoreUrls.redacted(url) + "' is a relative path: every working"
                            + " directory would get a store of its own; use an absolute path (jdbc:h2:file:/path/name)");
        }
        // Closed by the store after every step (see FileLockingDataSource), not by H2's own shutdown hook,
        // which would close it under a run that is releasing its key after SIGTERM.
        String settings = (url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT") ? "" : ";DB_CLOSE_ON_EXIT=FALSE")
                + (url.toUpperCase(Locale.ROOT).contains("FILE_LOCK") ? "" : ";FILE_LOCK=FS");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IdempotencyStoreUnavailableException("Cannot create the folder of " + file + ": " + e, e);
        }
        Path lockFile = Path.of(file.toAbsolutePath() + ".idempotent.lock");
        return JdbcStoreFactory.create(url + settings, new org.h2.Driver(), env, lockFile);
    }
}
