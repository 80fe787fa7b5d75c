package dev.idempotent.autoconfigure;

import java.util.Collection;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.NamedNode;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
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
            String topology = topology(lettuce.getClusterConfiguration(), lettuce.getSentinelConfiguration(),
                    lettuce.getDatabase());
            return topology != null ? topology : (lettuce.isUseSsl() ? "rediss://" : "redis://")
                    + lettuce.getHostName() + ":" + lettuce.getPort() + "/" + lettuce.getDatabase();
        }
        if (JEDIS && factory instanceof JedisConnectionFactory jedis) {
            String topology = topology(jedis.getClusterConfiguration(), jedis.getSentinelConfiguration(),
                    jedis.getDatabase());
            return topology != null ? topology
                    : "redis://" + jedis.getHostName() + ":" + jedis.getPort() + "/" + jedis.getDatabase();
        }
        return "through " + factory.getClass().getName();
    }

    /** The cluster nodes, or the sentinels and master; {@code null} for a standalone server. */
    private static @Nullable String topology(@Nullable RedisClusterConfiguration cluster,
            @Nullable RedisSentinelConfiguration sentinel, int database) {
        if (cluster != null) {
            return "cluster " + nodes(cluster.getClusterNodes());
        }
        if (sentinel != null) {
            NamedNode master = sentinel.getMaster();
            return "sentinels " + nodes(sentinel.getSentinels()) + ", master '"
                    + (master == null ? "" : master.getName()) + "', database " + database;
        }
        return null;
    }

    private static String nodes(Collection<RedisNode> nodes) {
        return nodes.stream().map(node -> node.getHost() + ":" + node.getPort()).sorted()
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
