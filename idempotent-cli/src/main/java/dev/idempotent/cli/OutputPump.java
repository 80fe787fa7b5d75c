package dev.idempotent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Copies one output stream of the command to the same stream of {@code idempotent}, keeping its last
 * lines in an {@link OutputTail}.
 *
 * <p>When our own stream is closed (e.g. {@code idempotent run -- yes | head}), the pump stops reading
 * and closes the command's pipe, so the command gets SIGPIPE as it would without {@code idempotent}.
 *
 * <p>A process the command leaves running in the background keeps the pipe open after the command
 * exited (and, while a pump waits in {@code read}, the JDK cannot close it either). So once the command
 * has exited, a pump is waited for only while output still arrives, or while our side is slow to take it.
 */
final class OutputPump {

    private final Thread thread;

    /** {@link System#nanoTime()} of the last read or write. */
    private volatile long lastProgress = System.nanoTime();

    /** Blocked writing to our stream (a slow reader): that is progress too, never idle. */
    private volatile boolean writing;

    private OutputPump(InputStream from, OutputStream to, OutputTail.Sink sink, String name) {
        this.thread = new Thread(() -> copy(from, to, sink), "idempotent-" + name);
        this.thread.setDaemon(true);
    }

    static OutputPump stdout(InputStream from, OutputTail tail) {
        return start(from, new FileOutputStream(FileDescriptor.out), tail, "stdout");
    }

    static OutputPump stderr(InputStream from, OutputTail tail) {
        return start(from, new FileOutputStream(FileDescriptor.err), tail, "stderr");
    }

    private static OutputPump start(InputStream from, OutputStream to, OutputTail tail, String name) {
        OutputPump pump = new OutputPump(from, to, tail.sink(), name);
        pump.thread.start();
        return pump;
    }

    private void copy(InputStream from, OutputStream to, OutputTail.Sink sink) {
        byte[] buffer = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                lastProgress = System.nanoTime();
                sink.write(buffer, n);
                writing = true;
                try {
                    to.write(buffer, 0, n);
                    to.flush();
                } catch (IOException e) {
                    return; // our stream is closed: closing the pipe lets the command get SIGPIPE, as in a shell
                } finally {
                    writing = false;
                    lastProgress = System.nanoTime();
                }
            }
        } catch (IOException e) {
            // the pipe was closed: the command is gone
        } finally {
            sink.close();
        }
    }

    /**
     * Waits, once the command has exited, until every pump has passed on all of its output: as long as
     * output keeps arriving or our side is still taking it, but no longer than {@code idleMillis} of
     * silence on a pipe that a process left in the background holds open, and not after {@code stop}.
     *
     * @return {@code false} if a pump was left behind (idle, or stopped)
     */
    static boolean drain(List<OutputPump> pumps, long idleMillis, BooleanSupplier stop) {
        long exited = System.nanoTime();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        for (OutputPump pump : pumps) {
            while (pump.thread.isAlive()) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                if (!pump.writing && System.nanoTime() - Math.max(exited, pump.lastProgress) > idleNanos) {
                    return false;
                }
                try {
                    pump.thread.join(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
