package dev.idempotent.demo;

import org.springframework.test.context.TestPropertySource;

/** The Idempotency-Key filter on the real PostgreSQL: every rule of the abstract test, on a shared store. */
@TestPropertySource(
        properties = {
            "idempotency.store=jdbc",
            "idempotency.jdbc.table-name=demo_filter_records",
            "idempotency.jdbc.initialize-schema=always",
            "spring.datasource.url=${IDEMPOTENCY_TEST_POSTGRES_URL:jdbc:postgresql://127.0.0.1:5432/test}",
            "spring.datasource.username=${IDEMPOTENCY_TEST_POSTGRES_USER:postgres}",
            "spring.datasource.password=${IDEMPOTENCY_TEST_POSTGRES_PASSWORD:}"
        })
class JdbcStoreIdempotencyKeyFilterIntegrationTests extends AbstractIdempotencyKeyFilterIntegrationTests {}
