/**
 * JMH benchmarks of the idempotency library. Each benchmark class measures a baseline and the variants
 * compared with it in the same run, because on shared, noisy machines only the ratios are meaningful:
 * <ul>
 * <li>{@link dev.idempotent.benchmarks.EngineOverheadBenchmark}: calling an operation directly vs. its
 * first execution and its replay through the engine and the template, on the embedded store;</li>
 * <li>{@link dev.idempotent.benchmarks.StoreRoundTripBenchmark}: replay (and first execution) on Caffeine
 * vs. Redis vs. PostgreSQL;</li>
 * <li>{@link dev.idempotent.benchmarks.JdbcVsRawBenchmark}, {@link dev.idempotent.benchmarks.RedisVsRawBenchmark},
 * {@link dev.idempotent.benchmarks.CaffeineVsCacheableBenchmark}: each store's replay and first run against
 * the raw call it cannot beat (a primary-key {@code SELECT} or an {@code INSERT .. ON CONFLICT} on the same pool,
 * a {@code GET} on the same connection factory, a {@code @Cacheable} method on {@code CaffeineCacheManager}), in
 * throughput at any thread count; {@code run.sh} prints each ratio next to its target;</li>
 * <li>{@link dev.idempotent.benchmarks.CodecBenchmark}: storing and reading back a result with
 * {@code JsonResultCodec} vs. building it.</li>
 * </ul>
 * Run them with {@code benchmarks/run.sh}, which prints the ratios.
 */
@NullMarked
package dev.idempotent.benchmarks;

import org.jspecify.annotations.NullMarked;
