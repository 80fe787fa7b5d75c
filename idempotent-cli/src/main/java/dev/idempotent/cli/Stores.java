package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.ListableIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Opens the store named by {@code --store} or {@code IDEMPOTENT_STORE}:
 * <ul>
 * <li>{@code jdbc:postgresql://host:5432/db}, {@code jdbc:mariadb://host:3306/db}: the JDBC store on its
 * {@code idempotency_record} table, created if missing; credentials in the URL or in
 * {@code IDEMPOTENT_STORE_USER} / {@code IDEMPOTENT_STORE_PASSWORD};
 * <li>{@code redis://[[user:]password@]host:6379/0}, {@code rediss://...} (TLS): the Redis store;
 * credentials in the URL or, when it has no password, in the same two variables;
 * <li>{@code jdbc:h2:file:/path/name} (or {@code jdbc:h2:tcp://...}): H2;
 * <li>nothing: an embedded H2 file in {@code $IDEMPOTENT_HOME} (default {@code $HOME/.idempotent}),
 * shared by the processes of one user on one machine.
 * </ul>
 */
final class Stores {

    static final String ENV_STORE = "IDEMPOTENT_STORE";

    static final String ENV_USER = "IDEMPOTENT_STORE_USER";

    static final String ENV_PASSWORD = "IDEMPOTENT_STORE_PASSWORD";

    static final String ENV_HOME = "IDEMPOTENT_HOME";

    /** How long a Redis command may take unless the URL says otherwise ({@code ?timeout=5s}). */
    private static final Duration REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration REDIS_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private Stores() {
    }

    /** The store URL in effect: the option, else the environment, else {@code null} for the default. */
    static String url(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = env.get(ENV_STORE);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
    }

    /**
     * Opens and checks the store: connects, and for JDBC creates the table if it is missing.
     *
     * @throws UsageException the URL is not one of the supported kinds
     * @throws IdempotencyStoreUnavailableException the store cannot be reached
     */
    static OpenStore open(String url, Map<String, String> env) {
        OpenStore store = create(url, env);
        try {
            store.check();
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw new IdempotencyStoreUnavailableException(store.description() + ": " + describe(e), e);
        }
    }

    static OpenStore create(String url, Map<String, String> env) {
        if (url == null) {
            return embedded(env);
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return jdbc(url, new org.postgresql.Driver(), env, null);
        }
        if (lower.startsWith("jdbc:mariadb:")) {
            return jdbc(url, new org.mariadb.jdbc.Driver(), env, null);
        }
        if (lower.startsWith("jdbc:h2:mem:")) {
            throw new UsageException("An in-memory H2 database ('" + redacted(url) + "') is gone when idempotent"
                    + " exits, so no run would ever be remembered: use jdbc:h2:file:/path/name, or nothing for the"
                    + " embedded store in ~/.idempotent");
        }
        if (lower.startsWith("jdbc:h2:")) {
            return h2(url, env);
        }
        if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
            return redis(url, env);
        }
        throw new UsageException("Unsupported store '" + redacted(url) + "': use jdbc:postgresql://host:5432/db,"
                + " jdbc:mariadb://host:3306/db, redis://host:6379/0, jdbc:h2:file:/path/name, or nothing for the"
                + " embedded store in ~/.idempotent");
    }

    private static OpenStore embedded(Map<String, String> env) {
        Path home = home(env);
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new IdempotencyStoreUnavailableException("Cannot create the folder of the embedded store " + home
                    + ": " + e, e);
        }
        Path file = home.resolve("store");
        return h2("jdbc:h2:file:" + file.toAbsolutePath(), env);
    }

    /**
     * {@code $IDEMPOTENT_HOME}, else {@code $HOME/.idempotent}, else {@code user.home/.idempotent}: always an
     * absolute path, so that every run of one user finds the same store whatever its working directory.
     *
     * @throws UsageException none of them is an absolute path
     */
    static Path home(Map<String, String> env) {
        String explicit = env.get(ENV_HOME);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            if (!path.isAbsolute()) {
                throw new UsageException(ENV_HOME + " must be an absolute path, was '" + explicit + "'");
            }
            return path;
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        Path path = home == null || home.isBlank() ? null : Path.of(home);
        if (path == null || !path.isAbsolute()) {
            throw new UsageException("Cannot place the embedded store: HOME is not set (or not an absolute path)."
                    + " Set " + ENV_HOME + " to a folder, or use --store / " + ENV_STORE);
        }
        return path.resolve(".idempotent");
    }

    private static OpenStore h2(String url, Map<String, String> env) {
        Path file = embeddedH2File(url);
        if (file == null) {
            return jdbc(url, new org.h2.Driver(), env, null);
        }
        if (!file.isAbsolute()) {
            throw new UsageException("The H2 file of '" + redacted(url) + "' is a relative path: every working"
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
        return jdbc(url + settings, new org.h2.Driver(), env, lockFile);
    }

    /** The database file of an embedded H2 URL ({@code jdbc:h2:file:/x}, {@code jdbc:h2:~/x}, {@code jdbc:h2:/x}), else null. */
    static Path embeddedH2File(String url) {
        String rest = url.substring("jdbc:h2:".length());
        int settings = rest.indexOf(';');
        String path = settings < 0 ? rest : rest.substring(0, settings);
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mem:") || lower.startsWith("tcp:") || lower.startsWith("ssl:") || lower.startsWith("zip:")) {
            return null;
        }
        if (lower.startsWith("file:")) {
            path = path.substring("file:".length());
        } else if (lower.matches("^[a-z]+:.*") && !lower.matches("^[a-z]:[\\\\/].*")) {
            return null; // another H2 file system (nio, split, async, ...): left as it is
        }
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        return Path.of(path);
    }

    private static OpenStore jdbc(String url, Driver driver, Map<String, String> env, Path lockFile) {
        SimpleDriverDataSource direct = new SimpleDriverDataSource(driver, url);
        String user = env.get(ENV_USER);
        String password = env.get(ENV_PASSWORD);
        if (user != null && !user.isEmpty()) {
            direct.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            direct.setPassword(password);
        }
        javax.sql.DataSource dataSource = lockFile == null ? direct : new FileLockingDataSource(direct, lockFile);
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource);
        String description = lockFile == null ? redacted(url) : "embedded H2 " + redacted(url).replaceFirst(";.*", "");
        return new OpenStore(store, description, () -> checkTable(store), () -> { });
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
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("42")) {
                return true;
            }
        }
        return false;
    }

    private static OpenStore redis(String url, Map<String, String> env) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            // not the parser's message: it quotes the URL as it is, password included
            throw new UsageException("Invalid Redis URL '" + redacted(url) + "': use redis://[[user:]password@]host:6379/0"
                    + " (rediss:// for TLS), with the characters of the password that are special in a URL"
                    + " percent-encoded (%40 for @, %2F for /, %3A for :, %25 for %)");
        }
        RedisConfiguration configuration = LettuceConnectionFactory.createRedisConfiguration(uri);
        applyCredentials(configuration, url, env);
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
                .apply(uri)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(SocketOptions.builder().connectTimeout(REDIS_CONNECT_TIMEOUT).build())
                        .build())
                .shutdownTimeout(Duration.ofMillis(100))
                .shutdownQuietPeriod(Duration.ZERO);
        if (!url.toLowerCase(Locale.ROOT).contains("timeout=")) {
            client.commandTimeout(REDIS_COMMAND_TIMEOUT);
        }
        LettuceConnectionFactory factory = createFactory(configuration, client.build());
        RedisIdempotencyStore store = new RedisIdempotencyStore(factory);
        Runnable check = () -> {
            try (RedisConnection connection = factory.getConnection()) {
                connection.ping();
            } catch (RuntimeException e) {
                throw new IdempotencyStoreUnavailableException("cannot be reached: " + describe(e), e);
            }
        };
        return new OpenStore(store, redacted(url), check, factory::destroy);
    }

    /**
     * {@code IDEMPOTENT_STORE_USER} / {@code _PASSWORD} for a Redis URL without a password: the password,
     * with the user of the variable, else of the URL ({@code redis://ci:@host}), else Redis's default user.
     */
    private static void applyCredentials(RedisConfiguration configuration, String url, Map<String, String> env) {
        // on Spring Data Redis's configuration, not on the RedisURI (whose credential accessors changed in
        // Lettuce 7): it is what the connection factory authenticates with
        if (!(configuration instanceof RedisConfiguration.WithAuthentication authentication)) {
            return;
        }
        if (authentication.getPassword().isPresent() && authentication.getPassword().get().length > 0) {
            return; // the URL's credentials win
        }
        String user = env.get(ENV_USER);
        String password = env.get(ENV_PASSWORD);
        if (password == null || password.isEmpty()) {
            if (user != null && !user.isEmpty()) {
                throw new UsageException(ENV_USER + " is set but " + ENV_PASSWORD + " is not: Redis authenticates a"
                        + " user with a password (AUTH user password)");
            }
            return;
        }
        if (user == null || user.isEmpty()) {
            user = urlUser(url);
        }
        if (user != null && !user.isEmpty()) {
            authentication.setUsername(user);
        }
        authentication.setPassword(RedisPassword.of(password));
    }

    /** The user of {@code redis://user:@host} (an empty password), which the Redis client drops; else null. */
    private static String urlUser(String url) {
        int scheme = url.indexOf("://");
        int at = userInfoEnd(url, scheme);
        if (at < 0) {
            return null;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon <= 0 ? null : URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8);
    }

    private static LettuceConnectionFactory createFactory(RedisConfiguration configuration,
            LettuceClientConfiguration client) {
        LettuceConnectionFactory factory;
        if (configuration instanceof org.springframework.data.redis.connection.RedisStandaloneConfiguration standalone) {
            factory = new LettuceConnectionFactory(standalone, client);
        } else if (configuration instanceof org.springframework.data.redis.connection.RedisSentinelConfiguration sentinel) {
            factory = new LettuceConnectionFactory(sentinel, client);
        } else {
            factory = new LettuceConnectionFactory(
                    (org.springframework.data.redis.connection.RedisSocketConfiguration) configuration, client);
        }
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /**
     * The URL without its secrets: the password of the user information ({@code redis://u:secret@h} →
     * {@code redis://u:***@h}; all of it when it has no colon, since Redis reads {@code redis://secret@h} as
     * a password), and {@code password=} parameters.
     */
    static String redacted(String url) {
        String result = url;
        int scheme = url.indexOf("://");
        int at = userInfoEnd(url, scheme);
        if (at < 0 && scheme >= 0) {
            // none before a '?' or '#': perhaps a password that holds one, unencoded; better hide too much
            at = url.lastIndexOf('@') > scheme ? url.lastIndexOf('@') : -1;
        }
        if (at >= 0) {
            String userInfo = url.substring(scheme + 3, at);
            int colon = userInfo.indexOf(':');
            String kept = colon < 0 ? "" : userInfo.substring(0, colon + 1);
            result = url.substring(0, scheme + 3) + kept + "***" + url.substring(at);
        }
        return result.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /**
     * The {@code @} that ends the user information of {@code scheme://user:password@host/path?query}: the
     * last one before the query ({@code ?}) or fragment ({@code #}), so that a password may hold an
     * unencoded {@code @} or {@code /} and a query an {@code @}; -1 if there is none.
     */
    private static int userInfoEnd(String url, int scheme) {
        if (scheme < 0) {
            return -1;
        }
        int end = url.length();
        for (int i = scheme + 3; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = url.lastIndexOf('@', end - 1);
        return at > scheme ? at : -1;
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

    /** A store, checked and ready, and what to close when done. */
    static final class OpenStore implements AutoCloseable {

        private final ListableIdempotencyStore store;

        private final String description;

        private final Runnable check;

        private final Runnable close;

        OpenStore(ListableIdempotencyStore store, String description, Runnable check, Runnable close) {
            this.store = store;
            this.description = description;
            this.check = check;
            this.close = close;
        }

        ListableIdempotencyStore store() {
            return store;
        }

        String description() {
            return description;
        }

        void check() {
            check.run();
        }

        @Override
        public void close() {
            try {
                close.run();
            } catch (RuntimeException e) {
                // closing is best effort
            }
        }
    }
}
