package dev.idempotent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Copies one output stream of the command to the same stream of {@code idempotent}, keeping its last
 * lines in an {@link OutputTail}.
 *
 * <p>When our own stream is closed (e.g. {@code idempotent run -- yes | head}), the pump stops reading
 * and closes the command's pipe, so the command gets SIGPIPE as it would without {@code idempotent}.
 *
 * <p>When the command exits, the JDK reads what is left in its pipes into memory and closes them (see
 * {@code ProcessImpl.ProcessPipeInputStream.processExited}): a pump then always comes to its end, and
 * a process the command left running in the background can no longer write to them (it gets SIGPIPE).
 * Such commands need {@code --output-lines 0}, which gives them our streams as they are.
 */
final class OutputPump {

    private final Thread thread;

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
                sink.write(buffer, n);
                try {
                    to.write(buffer, 0, n);
                    to.flush();
                } catch (IOException e) {
                    return; // our stream is closed: closing the pipe lets the command get SIGPIPE, as in a shell
                }
            }
        } catch (IOException e) {
            // the pipe was closed: the command is gone
        } finally {
            sink.close();
        }
    }

    /**
     * Waits until every pump has passed on everything the command wrote, however long a slow reader of
     * our output takes (call once the command has exited).
     */
    static void drain(List<OutputPump> pumps) {
        boolean interrupted = false;
        for (OutputPump pump : pumps) {
            while (pump.thread.isAlive()) {
                try {
                    pump.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
