package dev.idempotent.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The protected operation of every benchmark: build a {@link Receipt} (or a list of them) from a number,
 * so that the JIT cannot fold the result into a constant. Calling it directly is the baseline.
 */
final class Workload {

    /** How many receipts the list-shaped result holds. */
    static final int LIST_SIZE = 100;

    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    private Workload() {}

    static Receipt receipt(long n) {
        return new Receipt("rcpt-" + n, "order-" + n, 1_000 + n % 90_000, "EUR", "CAPTURED", START.plusSeconds(n));
    }

    /** The receipt of an order named by the caller (the annotated methods of {@link SpringBench}). */
    static Receipt receipt(String orderId) {
        return new Receipt("rcpt-" + orderId, orderId, 1_000 + (orderId.hashCode() & 0xffff), "EUR", "CAPTURED", START);
    }

    static List<Receipt> receipts(long n, int count) {
        List<Receipt> receipts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            receipts.add(receipt(n + i));
        }
        return receipts;
    }
}
