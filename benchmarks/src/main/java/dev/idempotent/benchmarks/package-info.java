/**
 * JMH benchmarks of the idempotency library. Each benchmark class measures a baseline and the variants
 * compared with it in the same run, because on shared, noisy machines only the ratios are meaningful:
 * <ul>
 * <li>{@link dev.idempotent.benchmarks.EngineOverheadBenchmark}: calling an operation directly vs. its
 * first execution and its replay through the engine and the template, on the embedded store;</li>
 * <li>{@link dev.idempotent.benchmarks.StoreRoundTripBenchmark}: replay (and first execution) on Caffeine
 * vs. Redis vs. PostgreSQL;</li>
 * <li>{@link dev.idempotent.benchmarks.CodecBenchmark}: storing and reading back a result with
 * {@code JsonResultCodec} vs. building it.</li>
 * </ul>
 * Run them with {@code benchmarks/run.sh}, which prints the ratios.
 */
package dev.idempotent.benchmarks;
