package dev.idempotent.benchmarks;

import java.time.Instant;

/** A typical result of an idempotent operation: a few strings, a number and a timestamp. */
public record Receipt(String id, String orderId, long amountCents, String currency, String status, Instant createdAt) {}
