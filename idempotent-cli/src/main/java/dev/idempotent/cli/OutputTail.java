package dev.idempotent.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The last lines of a command's output, from both of its streams as they arrive. Each line is decoded
 * as UTF-8, stripped of terminal escape sequences, carriage returns and other control characters, and cut to
 * {@value #MAX_LINE_LENGTH} characters, so a record stays small whatever the command prints.
 */
final class OutputTail {

    static final int MAX_LINE_LENGTH = 500;

    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]|\r");

    /** What is left of control characters after the escape sequences are gone (tabs stay). */
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");

    private final int maxLines;

    private final Deque<String> lines = new ArrayDeque<>();

    OutputTail(int maxLines) {
        this.maxLines = maxLines;
    }

    /** One stream's bytes, split into lines. */
    Sink sink() {
        return new Sink();
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    private synchronized void add(byte[] bytes, int length) {
        if (maxLines == 0) {
            return;
        }
        String text = ESCAPES.matcher(new String(bytes, 0, length, StandardCharsets.UTF_8))
                .replaceAll("");
        String line = CONTROLS.matcher(text).replaceAll("");
        lines.addLast(CommandLines.shorten(line, MAX_LINE_LENGTH));
        while (lines.size() > maxLines) {
            lines.removeFirst();
        }
    }

    /** Splits one stream into lines; not thread-safe (one pump thread per stream). */
    final class Sink {

        /** Bytes of the current line, bounded: the rest of a very long line is dropped. */
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        private boolean pending;

        void write(byte[] buffer, int length) {
            for (int i = 0; i < length; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    flush();
                } else {
                    pending = true;
                    if (line.size() < MAX_LINE_LENGTH * 4) {
                        line.write(b);
                    }
                }
            }
        }

        /** Ends the current line (at a newline, and at the end of the stream if it did not end with one). */
        void flush() {
            add(line.toByteArray(), line.size());
            line.reset();
            pending = false;
        }

        void close() {
            if (pending) {
                flush();
            }
        }
    }
}
