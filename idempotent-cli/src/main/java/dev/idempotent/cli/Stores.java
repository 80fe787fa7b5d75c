package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;

/**
 * Opens the store named by {@code --store} or {@code IDEMPOTENT_STORE} ({@link StoreUrls#url}), choosing its
 * factory by the URL's scheme:
 * <ul>
 * <li>{@code jdbc:postgresql://host:5432/db}, {@code jdbc:mariadb://host:3306/db}: the JDBC store on its
 * {@code idempotency_record} table, created if missing; credentials in the URL or in
 * {@code IDEMPOTENT_STORE_USER} / {@code IDEMPOTENT_STORE_PASSWORD} ({@link JdbcStoreFactory});
 * <li>{@code redis://[[user:]password@]host:6379/0}, {@code rediss://...} (TLS): the Redis store;
 * credentials in the URL or, when it has no password, in the same two variables ({@link RedisStoreFactory});
 * <li>{@code jdbc:h2:file:/path/name} (or {@code jdbc:h2:tcp://...}): H2 ({@link H2StoreFactory});
 * <li>nothing: an embedded H2 file in {@code $IDEMPOTENT_HOME} (default {@code $HOME/.idempotent}),
 * shared by the processes of one user on one machine.
 * </ul>
 */
final class Stores {

    private Stores() {}

    /**
     * Opens and checks the store: connects, and for JDBC creates the table if it is missing.
     *
     * @throws UsageException the URL is not one of the supported kinds
     * @throws IdempotencyStoreUnavailableException the store cannot be reached
     */
    static OpenStore open(@Nullable String url, Map<String, String> env) {
        OpenStore store = create(url, env);
        try {
            store.check();
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw new IdempotencyStoreUnavailableException(store.description() + ": " + describe(e), e);
        }
    }

    static OpenStore create(@Nullable String url, Map<String, String> env) {
        if (url == null) {
            return H2StoreFactory.embedded(env);
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return JdbcStoreFactory.create(url, new org.postgresql.Driver(), env, null);
        }
        if (lower.startsWith("jdbc:mariadb:")) {
            return JdbcStoreFactory.create(url, new org.mariadb.jdbc.Driver(), env, null);
        }
        if (lower.startsWith("jdbc:h2:mem:")) {
            throw new UsageException("An in-memory H2 database ('" + StoreUrls.redacted(url) + "') is gone when"
                    + " idempotent exits, so no run would ever be remembered: use jdbc:h2:file:/path/name, or nothing"
                    + " for the embedded store in ~/.idempotent");
        }
        if (lower.startsWith("jdbc:h2:")) {
            return H2StoreFactory.create(url, env);
        }
        if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
            return RedisStoreFactory.create(url, env);
        }
        throw new UsageException(
                "Unsupported store '" + StoreUrls.redacted(url) + "': use jdbc:postgresql://host:5432/db,"
                        + " jdbc:mariadb://host:3306/db, redis://host:6379/0, jdbc:h2:file:/path/name, or nothing for the"
                        + " embedded store in ~/.idempotent");
    }

    /** The exception and its root cause, which usually says what went wrong. */
    static String describe(Throwable e) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (root == e || message.contains(String.valueOf(root.getMessage()))) {
            return message;
        }
        return message + " (" + (root.getMessage() == null ? root.toString() : root.getMessage()) + ")";
    }
}
