package dev.idempotent.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.caffeine.CaffeineIdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Opens the stores the benchmarks compare, on the servers of the environment (overridable):
 * <ul>
 * <li>{@code caffeine}: embedded, always available;</li>
 * <li>{@code redis}: {@code BENCH_REDIS_HOST} (127.0.0.1), {@code BENCH_REDIS_PORT} (6379);</li>
 * <li>{@code postgresql}: {@code BENCH_PG_URL} (jdbc:postgresql://127.0.0.1:5432/test), {@code BENCH_PG_USER}
 * (postgres), {@code BENCH_PG_PASSWORD} (empty);</li>
 * <li>{@code mariadb}: {@code BENCH_MARIADB_URL} (jdbc:mariadb://127.0.0.1:3306/test), {@code BENCH_MARIADB_USER}
 * (root), {@code BENCH_MARIADB_PASSWORD} (empty).</li>
 * </ul>
 * The databases are reached through one Hikari pool of {@code BENCH_POOL_SIZE} (10) connections, as a
 * Spring Boot application would; Redis through one {@link LettuceConnectionFactory} (one shared native
 * connection, Boot's default). The raw baselines use the same pool and factory ({@link Opened#dataSource()},
 * {@link Opened#redis()}). Each benchmark writes under its own key prefix (Redis) or tables ({@value #TABLE}
 * and {@value #RAW_TABLE}) and removes what it wrote when it closes the store.
 *
 * <p>Run as a program, it names the reachable stores on standard output (comma-separated) and explains every
 * skipped one on standard error; {@code run.sh} uses it to leave out stores whose server is down.
 */
public final class BenchStores {

    static final String CAFFEINE = "caffeine";

    static final String REDIS = "redis";

    static final String POSTGRESQL = "postgresql";

    static final String MARIADB = "mariadb";

    static final List<String> ALL = List.of(CAFFEINE, REDIS, POSTGRESQL, MARIADB);

    /** The table of the database benchmarks, apart from the tests' {@code idempotency_record}. */
    static final String TABLE = "idempotency_bench";

    /** The table of the raw baselines: a primary key and a payload, nothing else. */
    static final String RAW_TABLE = "idempotency_bench_raw";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private BenchStores() {}

    /** A store under benchmark; closing it removes what the benchmark wrote and closes its connections. */
    interface Opened extends AutoCloseable {

        IdempotencyStore store();

        /** The pool the store uses (databases only). */
        default DataSource dataSource() {
            throw new UnsupportedOperationException(store() + " has no DataSource");
        }

        /** The connection factory the store uses (Redis only). */
        default RedisConnectionFactory redis() {
            throw new UnsupportedOperationException(store() + " has no RedisConnectionFactory");
        }

        @Override
        void close();
    }

    /**
     * @throws StoreNotReachableException if the store's server cannot be reached
     */
    static Opened open(String name) {
        return switch (name) {
            case CAFFEINE -> caffeine();
            case REDIS -> redis();
            case POSTGRESQL -> postgresql();
            case MARIADB -> mariadb();
            default -> throw new IllegalArgumentException("Unknown store '" + name + "'; use one of " + ALL);
        };
    }

    private static Opened caffeine() {
        CaffeineIdempotencyStore store = new CaffeineIdempotencyStore();
        return new Opened() {
            @Override
            public IdempotencyStore store() {
                return store;
            }

            @Override
            public void close() {}
        };
    }

    private static Opened redis() {
        String host = env("BENCH_REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("BENCH_REDIS_PORT", "6379"));
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(CONNECT_TIMEOUT)
                .shutdownTimeout(Duration.ZERO)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(SocketOptions.builder()
                                .connectTimeout(CONNECT_TIMEOUT)
                                .build())
                        .build())
                .build();
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        factory.afterPropertiesSet();
        factory.start();
        try (RedisConnection connection = factory.getConnection()) {
            connection.ping();
        } catch (RuntimeException e) {
            factory.destroy();
            throw new StoreNotReachableException(
                    "Redis at " + host + ":" + port + " is not reachable (" + rootCause(e)
                            + "); start it, or point BENCH_REDIS_HOST/BENCH_REDIS_PORT at one",
                    e);
        }
        String prefix = "idempotency-bench:"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ":";
        RedisIdempotencyStore store = new RedisIdempotencyStore(factory, prefix);
        return new Opened() {
            @Override
            public IdempotencyStore store() {
                return store;
            }

            @Override
            public RedisConnectionFactory redis() {
                return factory;
            }

            @Override
            public void close() {
                try (RedisConnection connection = factory.getConnection()) {
                    List<byte[]> keys = new ArrayList<>();
                    try (Cursor<byte[]> cursor = connection
                            .keyCommands()
                            .scan(ScanOptions.scanOptions()
                                    .match(prefix + "*")
                                    .count(1000)
                                    .build())) {
                        while (cursor.hasNext()) {
                            keys.add(cursor.next());
                            if (keys.size() == 1000) {
                                connection.keyCommands().del(keys.toArray(new byte[0][]));
                                keys.clear();
                            }
                        }
                    }
                    if (!keys.isEmpty()) {
                        connection.keyCommands().del(keys.toArray(new byte[0][]));
                    }
                } finally {
                    factory.destroy();
                }
            }
        };
    }

    private static Opened postgresql() {
        String url = env("BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setURL(url);
        driver.setUser(env("BENCH_PG_USER", "postgres"));
        driver.setPassword(env("BENCH_PG_PASSWORD", ""));
        driver.setConnectTimeout((int) CONNECT_TIMEOUT.toSeconds());
        driver.setLoginTimeout((int) CONNECT_TIMEOUT.toSeconds());
        return jdbc("PostgreSQL at " + url, "BENCH_PG_URL/BENCH_PG_USER/BENCH_PG_PASSWORD", driver);
    }

    private static Opened mariadb() {
        String url = env("BENCH_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
        MariaDbDataSource driver = new MariaDbDataSource();
        try {
            driver.setUrl(url + (url.contains("?") ? "&" : "?") + "connectTimeout=" + CONNECT_TIMEOUT.toMillis());
            driver.setUser(env("BENCH_MARIADB_USER", "root"));
            driver.setPassword(env("BENCH_MARIADB_PASSWORD", ""));
        } catch (SQLException e) {
            throw new IllegalArgumentException(
                    "BENCH_MARIADB_URL '" + url + "' is not a MariaDB URL: " + e.getMessage(), e);
        }
        return jdbc("MariaDB at " + url, "BENCH_MARIADB_URL/BENCH_MARIADB_USER/BENCH_MARIADB_PASSWORD", driver);
    }

    private static Opened jdbc(String where, String variables, DataSource driver) {
        try (Connection connection = driver.getConnection()) {
            connection.isValid(1);
        } catch (SQLException e) {
            throw new StoreNotReachableException(
                    where + " is not reachable (" + e.getMessage() + "); start it, or point " + variables + " at one",
                    e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("idempotency-bench");
        config.setDataSource(driver);
        // enough for 8 benchmark threads, each holding one connection at a time (Hikari's default size)
        config.setMaximumPoolSize(Integer.parseInt(env("BENCH_POOL_SIZE", "10")));
        config.setConnectionTimeout(CONNECT_TIMEOUT.toMillis());
        HikariDataSource pool = new HikariDataSource(config);
        JdbcTemplate jdbc = new JdbcTemplate(pool);
        // a table left by an interrupted run would make the first runs slower than they are
        jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
        jdbc.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(pool, TABLE);
        store.initializeSchema();
        return new Opened() {
            @Override
            public IdempotencyStore store() {
                return store;
            }

            @Override
            public DataSource dataSource() {
                return pool;
            }

            @Override
            public void close() {
                try {
                    jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
                    jdbc.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
                } finally {
                    pool.close();
                }
            }
        };
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String rootCause(Throwable e) {
        return NestedExceptionUtils.getMostSpecificCause(e).toString();
    }

    /**
     * Prints the reachable stores among {@code args} (all by default) on standard output, comma-separated,
     * and why each other one is skipped on standard error.
     */
    public static void main(String[] args) {
        List<String> names =
                args.length == 0 ? ALL : List.of(String.join(",", args).split("\\s*,\\s*"));
        List<String> reachable = new ArrayList<>();
        for (String name : names) {
            try (Opened opened = open(name)) {
                reachable.add(name);
            } catch (StoreNotReachableException | IllegalArgumentException e) {
                System.err.println("Skipping store '" + name + "': " + e.getMessage());
            }
        }
        System.out.println(String.join(",", reachable));
        // Lettuce's and Hikari's threads would keep a plain main() alive for a while
        System.exit(0);
    }
}
