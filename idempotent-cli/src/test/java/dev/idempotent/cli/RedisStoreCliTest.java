package dev.idempotent.cli;

import java.util.Objects;

/**
 * The command line on a real Redis ({@code IDEMPOTENCY_TEST_REDIS_HOST} / {@code _PORT}, default
 * 127.0.0.1:6379).
 */
class RedisStoreCliTest extends CliStoreTestSupport {

    static final String URL = "redis://"
            + Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_HOST"), "127.0.0.1") + ":"
            + Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_REDIS_PORT"), "6379") + "/0";

    @Override
    protected String storeUrl() {
        return URL;
    }
}
