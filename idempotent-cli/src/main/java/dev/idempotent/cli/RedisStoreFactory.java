package dev.idempotent.cli;

import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.store.redis.RedisIdempotencyStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisSocketConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis store on a {@code redis://} or {@code rediss://} URL: a Lettuce connection factory with the URL's
 * settings, timeouts of its own unless the URL sets them, and credentials from the URL or the environment.
 */
final class RedisStoreFactory {

    /** How long a Redis command may take unless the URL says otherwise ({@code ?timeout=5s}). */
    private static final Duration REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration REDIS_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private RedisStoreFactory() {}

    /** The store on {@code url}; the connection is made by {@link OpenStore#check()}. */
    static OpenStore create(String url, Map<String, String> env) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            // not the parser's message: it quotes the URL as it is, password included
            throw new UsageException("Invalid Redis URL '" + StoreUrls.redacted(url) + "': use"
                    + " redis://[[user:]password@]host:6379/0 (rediss:// for TLS), with the characters of the password that are special in a URL"
                    + " percent-encoded (%40 for @, %2F for /, %3A for :, %25 for %)");
        }
        RedisConfiguration configuration = LettuceConnectionFactory.createRedisConfiguration(uri);
        applyCredentials(configuration, url, env);
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
                .apply(uri)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(SocketOptions.builder()
                                .connectTimeout(REDIS_CONNECT_TIMEOUT)
                                .build())
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
                throw new IdempotencyStoreUnavailableException("cannot be reached: " + Stores.describe(e), e);
            }
        };
        return new OpenStore(store, StoreUrls.redacted(url), check, factory::destroy);
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
        if (authentication.getPassword().isPresent()
                && authentication.getPassword().get().length > 0) {
            return; // the URL's credentials win
        }
        String user = env.get(StoreUrls.ENV_USER);
        String password = env.get(StoreUrls.ENV_PASSWORD);
        if (password == null || password.isEmpty()) {
            if (user != null && !user.isEmpty()) {
                throw new UsageException(StoreUrls.ENV_USER + " is set but " + StoreUrls.ENV_PASSWORD + " is not: Redis"
                        + " authenticates a user with a password (AUTH user password)");
            }
            return;
        }
        if (user == null || user.isEmpty()) {
            user = StoreUrls.urlUser(url);
        }
        if (user != null && !user.isEmpty()) {
            authentication.setUsername(user);
        }
        authentication.setPassword(RedisPassword.of(password));
    }

    private static LettuceConnectionFactory createFactory(
            RedisConfiguration configuration, LettuceClientConfiguration client) {
        LettuceConnectionFactory factory;
        if (configuration instanceof RedisStandaloneConfiguration standalone) {
            factory = new LettuceConnectionFactory(standalone, client);
        } else if (configuration instanceof RedisSentinelConfiguration sentinel) {
            factory = new LettuceConnectionFactory(sentinel, client);
        } else {
            factory = new LettuceConnectionFactory((RedisSocketConfiguration) configuration, client);
        }
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
