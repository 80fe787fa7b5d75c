/**
 * The shared store on Redis: {@link dev.idempotent.store.redis.RedisIdempotencyStore}, one hash per key
 * changed only by atomic Lua scripts, for several application instances that must agree. Needs
 * {@code spring-data-redis} and a driver (Lettuce, as Spring Boot configures it) on the class path.
 */
package dev.idempotent.store.redis;
