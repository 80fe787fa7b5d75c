package dev.idempotent.autoconfigure;

import java.util.Collection;
import java.util.stream.Collectors;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Where a {@link RedisConnectionFactory} sends its commands, for the startup line: {@code host:port/database},
 * the cluster nodes or the sentinels and master. Never a user name or password.
 */
final class RedisLocation {

    private static final boolean JEDIS = ClassUtils.isPresent("redis.clients.jedis.Jedis",
            RedisLocation.class.getClassLoader());

    private static final boolean LETTUCE = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            RedisLocation.class.getClassLoader());

    private RedisLocation() {
    }

    static String describe(RedisConnectionFactory factory) {
        if (LETTUCE && factory instanceof LettuceConnectionFactory lettuce) {
            if (lettuce.isClusterAware()) {
                return "cluster " + nodes(lettuce.getClusterConfiguration().getClusterNodes());
            }
            if (lettuce.isRedisSentinelAware()) {
                return "sentinels " + nodes(lettuce.getSentinelConfiguration().getSentinels()) + ", master '"
                        + lettuce.getSentinelConfiguration().getMaster().getName() + "', database "
                        + lettuce.getDatabase();
            }
            return (lettuce.isUseSsl() ? "rediss://" : "redis://") + lettuce.getHostName() + ":" + lettuce.getPort()
                    + "/" + lettuce.getDatabase();
        }
        if (JEDIS && factory instanceof JedisConnectionFactory jedis) {
            if (jedis.isRedisClusterAware()) {
                return "cluster " + nodes(jedis.getClusterConfiguration().getClusterNodes());
            }
            if (jedis.isRedisSentinelAware()) {
                return "sentinels " + nodes(jedis.getSentinelConfiguration().getSentinels()) + ", master '"
                        + jedis.getSentinelConfiguration().getMaster().getName() + "', database " + jedis.getDatabase();
            }
            return "redis://" + jedis.getHostName() + ":" + jedis.getPort() + "/" + jedis.getDatabase();
        }
        return "through " + factory.getClass().getName();
    }

    private static String nodes(Collection<RedisNode> nodes) {
        return nodes.stream().map(node -> node.getHost() + ":" + node.getPort()).sorted()
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
