package dev.idempotent.web;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Holds back the body the application writes so that the response can be stored before it is sent.
 * Status and headers go through to the wrapped response as usual (they are read back from it); the body
 * is buffered up to a limit. Past the limit, and for asynchronous requests, the wrapper turns into a pass
 * through: what was buffered is written out and the rest streams to the client, and the response is not
 * stored (an oversized body's last byte waits for {@link #deliver()}, which comes after the key is
 * released). {@code sendError} is held back too and forwarded by {@link #deliver()}, so that the container
 * renders its error page as it would without the filter.
 */
final class CapturingResponseWrapper extends HttpServletResponseWrapper {

    private final long limit;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    private final ServletOutputStream stream = new CapturingOutputStream();

    private @Nullable PrintWriter writer;

    private boolean passThrough;

    private boolean overflowed;

    /** While streaming an oversized body: keep its last byte back until the key is released. */
    private boolean holdLastByte;

    /** The byte held back, or -1. */
    private int held = -1;

    private @Nullable Integer errorStatus;

    private @Nullable String errorMessage;

    private boolean redirected;

    CapturingResponseWrapper(HttpServletResponse response, long limit) {
        super(response);
        this.limit = limit;
    }

    /** The headers of {@code response} now, by lower-case name: set before the application ran. */
    static Map<String, List<String>> snapshotHeaders(HttpServletResponse response) {
        Map<String, List<String>> headers = new TreeMap<>();
        for (String name : response.getHeaderNames()) {
            headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(response.getHeaders(name)));
        }
        return headers;
    }

    @Override
    public ServletOutputStream getOutputStream() {
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            writer = new PrintWriter(new OutputStreamWriter(stream, charset()));
        }
        return writer;
    }

    private Charset charset() {
        String encoding = getCharacterEncoding();
        try {
            return encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (passThrough) {
            super.flushBuffer();
        }
    }

    @Override
    public boolean isCommitted() {
        return passThrough ? super.isCommitted() : errorStatus != null || redirected;
    }

    @Override
    public void reset() {
        if (!passThrough) {
            buffer.reset();
            errorStatus = null;
            errorMessage = null;
            redirected = false;
        }
        super.reset();
    }

    @Override
    public void resetBuffer() {
        if (passThrough) {
            super.resetBuffer();
        } else {
            buffer.reset();
        }
    }

    @Override
    public void sendError(int sc) throws IOException {
        sendError(sc, null);
    }

    @Override
    public void sendError(int sc, @Nullable String msg) throws IOException {
        if (passThrough) {
            super.sendError(sc, msg);
            return;
        }
        buffer.reset();
        errorStatus = sc;
        errorMessage = msg;
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        sendRedirect(location, SC_FOUND, true);
    }

    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        sendRedirect(location, sc, true);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        sendRedirect(location, SC_FOUND, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        if (passThrough) {
            super.sendRedirect(location, sc, clearBuffer);
            return;
        }
        if (clearBuffer) {
            buffer.reset();
        }
        setStatus(sc);
        setHeader("Location", location);
        redirected = true;
    }

    /** Whether the body outgrew the limit and was streamed to the client instead of being kept. */
    boolean isOverflowed() {
        return overflowed;
    }

    /** Whether the application called {@code sendError}, leaving the body to the container's error page. */
    boolean isErrorSent() {
        return errorStatus != null;
    }

    /** The status the application set or passed to {@code sendError}. */
    int status() {
        return errorStatus != null ? errorStatus : getStatus();
    }

    /** Pushes what the application's writer holds into the body. */
    void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Writes out what was buffered and streams everything written from now on. */
    void switchToPassThrough() throws IOException {
        flushWriter();
        if (!passThrough) {
            passThrough = true;
            if (buffer.size() > 0) {
                getResponse().getOutputStream().write(buffer.toByteArray());
                buffer.reset();
            }
        }
    }

    /**
     * The response as the application produced it, for storing: the status, the headers it set (those
     * that differ from {@code before}, the headers set before it ran, and that {@code storable} accepts;
     * Content-Type always) and the buffered body.
     */
    CapturedResponse capture(Map<String, List<String>> before) {
        flushWriter();
        Map<String, Collection<String>> headers = new LinkedHashMap<>();
        for (String name : getHeaderNames()) {
            headers.putIfAbsent(name, getHeaders(name));
        }
        return CapturedResponse.of(status(), getContentType(), headers, before, buffer.toByteArray());
    }

    /**
     * Sends what the application produced, once it has been stored or let go: the buffered body (status
     * and headers are already on the response), the held-back {@code sendError}, or the end of a body that
     * was streamed.
     */
    void deliver() throws IOException {
        flushWriter();
        HttpServletResponse response = (HttpServletResponse) getResponse();
        if (passThrough) {
            if (held >= 0) {
                response.getOutputStream().write(held);
                held = -1;
            }
            holdLastByte = false;
            if (overflowed) {
                // the end of a streamed body; an asynchronous response is left alone, it is not done yet
                response.flushBuffer();
            }
        } else if (errorStatus != null) {
            if (errorMessage == null) {
                response.sendError(errorStatus);
            } else {
                response.sendError(errorStatus, errorMessage);
            }
        } else {
            writeBody(response, buffer.toByteArray());
        }
    }

    /** Writes {@code body} with its length, and commits the response. */
    static void writeBody(HttpServletResponse response, byte[] body) throws IOException {
        if (body.length > 0) {
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
        response.flushBuffer();
    }

    private final class CapturingOutputStream extends ServletOutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len <= 0) {
                return;
            }
            if (!passThrough && buffer.size() + (long) len > limit) {
                overflow();
            }
            if (!passThrough) {
                buffer.write(b, off, len);
            } else if (holdLastByte) {
                ServletOutputStream out = getResponse().getOutputStream();
                if (held >= 0) {
                    out.write(held);
                }
                out.write(b, off, len - 1);
                held = b[off + len - 1] & 0xFF;
            } else {
                getResponse().getOutputStream().write(b, off, len);
            }
        }

        /**
         * Streams from now on, holding back the last byte until {@link #deliver()}: a client that knows the
         * length of the body cannot have all of it before the key is released, so its retry never meets
         * the key still in flight.
         */
        private void overflow() throws IOException {
            overflowed = true;
            passThrough = true;
            holdLastByte = true;
            byte[] buffered = buffer.toByteArray();
            buffer.reset();
            if (buffered.length > 0) {
                write(buffered, 0, buffered.length);
            }
        }

        @Override
        public void flush() throws IOException {
            if (passThrough) {
                getResponse().getOutputStream().flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            try {
                getResponse().getOutputStream().setWriteListener(listener);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
