package dev.idempotent.benchmarks;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A new key on every call, one sequence per benchmark thread, so that threads never share a counter (a
 * shared one would be a contended step of its own) and never collide. The raw baseline and the store take
 * their keys from the same kind of sequence, so building the key costs both sides the same.
 */
@State(Scope.Thread)
public class FreshKeys {

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Apart from the keys of earlier trials and forks on the same server. */
    private final String prefix =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-" + THREADS.incrementAndGet() + "-";

    private long counter;

    String next() {
        return prefix + (++counter);
    }
}
