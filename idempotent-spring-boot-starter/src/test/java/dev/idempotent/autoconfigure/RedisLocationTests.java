package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The startup line's Redis location, read without naming a driver's factory class. */
class RedisLocationTests {

    @Test
    void aStandaloneServerIsItsUrlWithTheDatabase() {
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration("redis.example", 6380);
        server.setDatabase(3);
        server.setPassword("secret");
        String location = RedisLocation.describe(new LettuceConnectionFactory(server));
        assertThat(location).isEqualTo("redis://redis.example:6380/3").doesNotContain("secret");
    }

    @Test
    void tlsIsShownByTheScheme() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("h", 6379),
                LettuceClientConfiguration.builder().useSsl().build());
        assertThat(RedisLocation.describe(factory)).isEqualTo("rediss://h:6379/0");
    }

    @Test
    void aClusterIsItsNodesSorted() {
        RedisClusterConfiguration cluster = new RedisClusterConfiguration(List.of("b:7001", "a:7000"));
        assertThat(RedisLocation.describe(new LettuceConnectionFactory(cluster)))
                .isEqualTo("cluster [a:7000, b:7001]");
    }

    @Test
    void sentinelsAreShownWithTheirMasterAndDatabase() {
        RedisSentinelConfiguration sentinel = new RedisSentinelConfiguration("orders", java.util.Set.of("s1:26379"));
        sentinel.setDatabase(2);
        assertThat(RedisLocation.describe(new LettuceConnectionFactory(sentinel)))
                .isEqualTo("sentinels [s1:26379], master 'orders', database 2");
    }

    @Test
    void aFactoryOfAnotherKindIsNamedByItsClass() {
        RedisConnectionFactory other = new RedisConnectionFactory() {

            @Override
            public RedisConnection getConnection() {
                throw new UnsupportedOperationException();
            }

            @Override
            public RedisClusterConnection getClusterConnection() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean getConvertPipelineAndTxResults() {
                return false;
            }

            @Override
            public RedisSentinelConnection getSentinelConnection() {
                throw new UnsupportedOperationException();
            }

            @Override
            public org.springframework.dao.DataAccessException translateExceptionIfPossible(RuntimeException ex) {
                return null;
            }
        };
        assertThat(RedisLocation.describe(other))
                .isEqualTo("through " + other.getClass().getName());
    }
}
