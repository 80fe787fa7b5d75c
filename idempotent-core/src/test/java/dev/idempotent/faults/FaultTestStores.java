package dev.idempotent.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.store.jdbc.JdbcIdempotencyStore;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import java.time.Duration;
import java.util.Objects;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Stores for the fault tests, on the servers of the development machine (or those named by the same
 * environment variables as the store tests), with clients that give up on an unanswered call in about a
 * second, as a production configuration would within its own budget.
 */
final class FaultTestStores {

    static final String POSTGRES_HOST = "127.0.0.1";

    static final int POSTGRES_PORT = 5432;

    static final String MARIADB_HOST = "127.0.0.1";

    static final int MARIADB_PORT = 3306;

    static final String REDIS_HOST =
            Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_HOST"), "127.0.0.1");

    static final int REDIS_PORT =
            Integer.parseInt(Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_PORT"), "6379"));

    private FaultTestStores() {}

    /** A small pool on PostgreSQL at {@code port}, with one-second socket timeouts. */
    static HikariDataSource postgres(int port, String applicationName) {
        return pool(
                "jdbc:postgresql://127.0.0.1:" + port + "/test?connectTimeout=1&socketTimeout=1&loginTimeout=2"
                        + "&ApplicationName=" + applicationName,
                "postgres");
    }

    /** A small pool on MariaDB at {@code port}, with one-second socket timeouts. */
    static HikariDataSource mariadb(int port) {
        return pool("jdbc:mariadb://127.0.0.1:" + port + "/test?connectTimeout=1000&socketTimeout=1000", "root");
    }

    private static HikariDataSource pool(String url, String user) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("idempotency-faults");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(6);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(1500);
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    static JdbcIdempotencyStore jdbc(HikariDataSource dataSource) {
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource);
        store.initializeSchema();
        return store;
    }

    /** A Lettuce factory on Redis at {@code port} with a one-second command timeout. */
    static LettuceConnectionFactory redisFactory(String host, int port) {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ZERO)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(SocketOptions.builder()
                                .connectTimeout(Duration.ofSeconds(1))
                                .build())
                        .build())
                .build();
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    static IdempotencyStore redis(LettuceConnectionFactory factory) {
        return new RedisIdempotencyStore(factory, "faults:");
    }
}
