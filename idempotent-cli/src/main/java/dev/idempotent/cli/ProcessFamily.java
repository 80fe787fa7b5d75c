package dev.idempotent.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command and the processes it started, as far as they were seen: its descendants are looked up
 * while it runs ({@link #refresh()}), because once it is gone its children belong to init and cannot be
 * found from it any more. An interrupted run stops all of them before its key is released: SIGTERM once
 * to each, then SIGKILL to what is left after the grace period.
 */
final class ProcessFamily {

    private static final long POLL_MILLIS = 50;

    private final ProcessHandle command;

    private final long graceNanos;

    /** Guarded by this: the command's descendants seen so far. */
    private final Set<ProcessHandle> descendants = new LinkedHashSet<>();

    /** Guarded by this: those already sent SIGTERM (a trap in a script runs once, not once per signal). */
    private final Set<ProcessHandle> terminated = new LinkedHashSet<>();

    /** Guarded by this: {@link System#nanoTime()} when what is left is killed; 0 until {@link #terminate()}. */
    private long killAt;

    ProcessFamily(ProcessHandle command, long graceMillis) {
        this.command = command;
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
    }

    /** Adds the command's current descendants to those seen. */
    synchronized void refresh() {
        if (command.isAlive()) {
            command.descendants().forEach(descendants::add);
        }
    }

    /** SIGTERM to every member alive that has not had it yet; starts the grace period the first time. */
    synchronized void terminate() {
        refresh();
        if (killAt == 0) {
            killAt = Math.max(1, System.nanoTime() + graceNanos);
        }
        // SIGTERM only: Process.destroy() would also close the pipes, losing what the command prints as it ends
        alive().filter(terminated::add).forEach(ProcessHandle::destroy);
    }

    /** SIGKILL to every member alive; {@code true} if there were any. */
    synchronized boolean kill() {
        refresh();
        List<ProcessHandle> alive = alive().toList();
        alive.forEach(ProcessHandle::destroyForcibly);
        return !alive.isEmpty();
    }

    /** SIGKILL to every member alive once the grace period of {@link #terminate()} is over. */
    synchronized void killIfDue() {
        if (killAt != 0 && System.nanoTime() - killAt >= 0) {
            kill();
        }
    }

    /**
     * After {@link #terminate()}: waits until no member is alive, killing what is left when the grace period
     * ends (and giving up a few seconds after that: a process that outlives SIGKILL is not ours to wait for).
     */
    void awaitGone() throws InterruptedException {
        long giveUpAt;
        synchronized (this) {
            giveUpAt = killAt + TimeUnit.SECONDS.toNanos(5);
        }
        while (System.nanoTime() - giveUpAt < 0) {
            killIfDue();
            synchronized (this) {
                if (alive().findAny().isEmpty()) {
                    return;
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private Stream<ProcessHandle> alive() {
        return Stream.concat(Stream.of(command), descendants.stream()).filter(ProcessHandle::isAlive);
    }
}
