package dev.idempotent.demo;

/** The Idempotency-Key filter on the embedded Caffeine store (the demo's default). */
class CaffeineStoreIdempotencyKeyFilterIntegrationTests extends AbstractIdempotencyKeyFilterIntegrationTests {}
