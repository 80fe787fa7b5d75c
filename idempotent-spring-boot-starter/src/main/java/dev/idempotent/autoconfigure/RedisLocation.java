package dev.idempotent.autoconfigure;

import java.util.Collection;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.data.redis.connection.NamedNode;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;

/**
 * Where a {@link RedisConnectionFactory} sends its commands, for the startup line: {@code host:port/database},
 * the cluster nodes or the sentinels and master. Never a user name or password.
 *
 * <p>Read through the bean properties that Spring Data Redis' Lettuce and Jedis factories share
 * ({@code clusterConfiguration}, {@code sentinelConfiguration}, {@code hostName}, {@code port},
 * {@code database}, {@code useSsl}), so that this class never names a driver's factory: the starter compiles
 * without either driver, and a factory of another kind is described by its class.
 */
final class RedisLocation {

    private RedisLocation() {}

    static String describe(RedisConnectionFactory factory) {
        BeanWrapper properties = PropertyAccessorFactory.forBeanPropertyAccess(factory);
        if (!properties.isReadableProperty("hostName") || !properties.isReadableProperty("database")) {
            return "through " + factory.getClass().getName();
        }
        Object database = properties.getPropertyValue("database");
        if (read(properties, "clusterConfiguration") instanceof RedisClusterConfiguration cluster) {
            return "cluster " + nodes(cluster.getClusterNodes());
        }
        if (read(properties, "sentinelConfiguration") instanceof RedisSentinelConfiguration sentinel) {
            NamedNode master = sentinel.getMaster();
            return "sentinels " + nodes(sentinel.getSentinels()) + ", master '"
                    + (master == null ? "" : master.getName()) + "', database " + database;
        }
        boolean ssl = Boolean.TRUE.equals(read(properties, "useSsl"));
        return (ssl ? "rediss://" : "redis://") + properties.getPropertyValue("hostName") + ":"
                + read(properties, "port") + "/" + database;
    }

    private static @Nullable Object read(BeanWrapper properties, String name) {
        return properties.isReadableProperty(name) ? properties.getPropertyValue(name) : null;
    }

    private static String nodes(Collection<RedisNode> nodes) {
        return nodes.stream()
                .map(node -> node.getHost() + ":" + node.getPort())
                .sorted()
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
