package dev.idempotent.demo;

import org.springframework.test.context.TestPropertySource;

/** The Idempotency-Key filter on the real Redis: every rule of the abstract test, on a shared store. */
@TestPropertySource(
        properties = {
            "idempotency.store=redis",
            "idempotency.redis.key-prefix=demo-filter-test:",
            "spring.data.redis.host=${IDEMPOTENCY_TEST_REDIS_HOST:127.0.0.1}",
            "spring.data.redis.port=${IDEMPOTENCY_TEST_REDIS_PORT:6379}"
        })
class RedisStoreIdempotencyKeyFilterIntegrationTests extends AbstractIdempotencyKeyFilterIntegrationTests {}
