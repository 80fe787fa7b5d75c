package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The JDBC store on a database URL: a connection per step from the driver (no pool: one run makes a handful
 * of calls), credentials from the environment, its table created on first use.
 */
final class JdbcStoreFactory {

    private JdbcStoreFactory() {}

    /**
     * The store on {@code url}, with {@link StoreUrls#ENV_USER} and {@link StoreUrls#ENV_PASSWORD}; every
     * connection holds {@code lockFile} while it is open when not {@code null} (an embedded H2 file).
     */
    static OpenStore create(String url, Driver driver, Map<String, String> env, @Nullable Path lockFile) {
        SimpleDriverDataSource direct = new SimpleDriverDataSource(driver, url);
        String user = env.get(StoreUrls.ENV_USER);
        String password = env.get(StoreUrls.ENV_PASSWORD);
        if (user != null && !user.isEmpty()) {
            direct.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            direct.setPassword(password);
        }
        DataSource dataSource = lockFile == null ? direct : new FileLockingDataSource(direct, lockFile);
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource);
        String description = lockFile == null
                ? StoreUrls.redacted(url)
                : "embedded H2 " + StoreUrls.redacted(url).replaceFirst(";.*", "");
        return new OpenStore(store, description, () -> checkTable(store), () -> {});
    }

    /**
     * Reads one key; if the table is missing (SQLSTATE class 42), creates it. No DDL, and no DDL lock, on
     * the usual run where the table exists.
     */
    private static void checkTable(JdbcIdempotencyStore store) {
        try {
            store.find(RunCommand.NAMESPACE + ":");
        } catch (IdempotencyStoreUnavailableException e) {
            if (!isMissingTable(e)) {
                throw e;
            }
            store.initializeSchema();
        }
    }

    private static boolean isMissingTable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("42")) {
                return true;
            }
        }
        return false;
    }
}
