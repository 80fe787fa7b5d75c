package dev.idempotent.faults;

import dev.idempotent.store.IdempotencyStore;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The fault suite on Redis, through a {@link FaultProxy}. */
class RedisFaultTests extends AbstractStoreFaultTests {

    private LettuceConnectionFactory factory;

    @Override
    protected String serverHost() {
        return FaultTestStores.REDIS_HOST;
    }

    @Override
    protected int serverPort() {
        return FaultTestStores.REDIS_PORT;
    }

    @Override
    protected IdempotencyStore createStore(int port) {
        factory = FaultTestStores.redisFactory("127.0.0.1", port);
        return FaultTestStores.redis(factory);
    }

    @Override
    protected void closeStore(IdempotencyStore store) {
        factory.destroy();
    }
}
