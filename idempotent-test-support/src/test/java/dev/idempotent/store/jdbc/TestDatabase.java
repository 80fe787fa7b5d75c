package dev.idempotent.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A real database for the JDBC store tests: connection settings from the environment (with defaults for
 * the servers of the development machine), one small pool per database for the whole test run, and a
 * DataSource for a server that does not answer.
 *
 * <p>Every connection uses a session time zone far from UTC, so a time zone mistake in the store shows.
 */
enum TestDatabase {
    POSTGRESQL(
            "IDEMPOTENCY_TEST_POSTGRES",
            "jdbc:postgresql://127.0.0.1:5432/test",
            "postgres",
            "",
            "SET TIME ZONE 'Asia/Kolkata'",
            port -> "jdbc:postgresql://127.0.0.1:" + port + "/test?connectTimeout=2&socketTimeout=5"),

    MARIADB(
            "IDEMPOTENCY_TEST_MARIADB",
            "jdbc:mariadb://127.0.0.1:3306/test",
            "root",
            "",
            "SET time_zone = '+05:30'",
            port -> "jdbc:mariadb://127.0.0.1:" + port + "/test?connectTimeout=2000&socketTimeout=5000"),

    H2(
            null,
            "jdbc:h2:mem:idempotency-test;DB_CLOSE_DELAY=-1",
            "sa",
            "",
            "SET TIME ZONE 'Asia/Kolkata'",
            port -> "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:idempotency-test");

    private static final Map<TestDatabase, HikariDataSource> pools = new ConcurrentHashMap<>();

    private final String url;

    private final String user;

    private final String password;

    private final String sessionSql;

    private final IntFunction<String> unreachableUrl;

    TestDatabase(
            String envPrefix,
            String defaultUrl,
            String defaultUser,
            String defaultPassword,
            String sessionSql,
            IntFunction<String> unreachableUrl) {
        this.url = env(envPrefix, "_URL", defaultUrl);
        this.user = env(envPrefix, "_USER", defaultUser);
        this.password = env(envPrefix, "_PASSWORD", defaultPassword);
        this.sessionSql = sessionSql;
        this.unreachableUrl = unreachableUrl;
    }

    /** The shared pool; enough connections for the contract suite's 32 threads to contend. */
    DataSource dataSource() {
        return pools.computeIfAbsent(this, db -> {
            HikariConfig config = new HikariConfig();
            config.setPoolName("idempotency-test-" + db.name().toLowerCase());
            config.setJdbcUrl(db.url);
            config.setUsername(db.user);
            config.setPassword(db.password);
            config.setMaximumPoolSize(12);
            config.setConnectionInitSql(db.sessionSql);
            config.setConnectionTimeout(30_000);
            return new HikariDataSource(config);
        });
    }

    /** A DataSource on a loopback port nobody listens on, that fails within seconds. */
    DataSource unreachableDataSource() {
        DriverManagerDataSource dataSource =
                new DriverManagerDataSource(unreachableUrl.apply(closedPort()), user, password);
        return dataSource;
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String env(String prefix, String suffix, String defaultValue) {
        if (prefix == null) {
            return defaultValue;
        }
        return Objects.requireNonNullElse(System.getenv(prefix + suffix), defaultValue);
    }
}
