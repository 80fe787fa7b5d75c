package dev.idempotent.engine;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the owner token of each claim: unique across every engine on every node (a random UUID drawn once
 * per engine from a secure source) and within the engine (a counter), so tokens never collide, and making one
 * takes no lock: {@link UUID#randomUUID()} per call would serialize every claim on one shared
 * {@code SecureRandom}.
 */
final class OwnerTokens {

    private final String prefix = UUID.randomUUID() + ":";

    private final AtomicLong counter = new AtomicLong();

    String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
