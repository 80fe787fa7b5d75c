/**
 * The shared store on Redis: {@link dev.idempotent.store.redis.RedisIdempotencyStore}, one hash per key
 * changed only by atomic Lua scripts, for several application instances that must agree, and
 * {@link dev.idempotent.store.redis.ReactiveRedisIdempotencyStore}, the same scripts and records without
 * blocking. Needs {@code spring-data-redis} and a driver (Lettuce, as Spring Boot configures it) on the class
 * path; the reactive store needs Reactor.
 */
@NullMarked
package dev.idempotent.store.redis;

import org.jspecify.annotations.NullMarked;
