package dev.idempotent.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads a request's body to fingerprint it and hands the application a request that can still read it.
 * A raw body (JSON, XML, text, bytes) is read whole and hashed; form posts are hashed through their
 * decoded parameters and multipart requests through their parts, because the container parses those
 * from the stream itself.
 */
final class RequestBodies {

    /** The request to pass on, and the SHA-256 (hex) of its body. */
    record Prepared(HttpServletRequest request, String bodyHash) {}

    private RequestBodies() {}

    /** The body is larger than the limit: it is not read further, and the request is not processed. */
    static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * @param maxBodySize the largest raw body that is read into memory
     * @throws TooLarge if the raw body is larger than {@code maxBodySize}
     */
    static Prepared prepare(HttpServletRequest request, long maxBodySize) throws IOException, TooLarge {
        String contentType =
                request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
            return new Prepared(request, BodyHashes.ofParameters(request.getParameterMap()));
        }
        if (contentType.startsWith("multipart/")) {
            try {
                return new Prepared(request, hashParts(request));
            } catch (ServletException | IllegalStateException e) {
                // Not parseable as multipart here (no multipart configuration): nothing downstream can parse
                // it either, so treat it as a raw body.
            }
        }
        if (request.getContentLengthLong() > maxBodySize) {
            throw new TooLarge();
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodySize + 1));
        if (body.length > maxBodySize) {
            throw new TooLarge();
        }
        return new Prepared(new CachedBodyRequest(request, body), BodyHashes.of(body));
    }

    private static String hashParts(HttpServletRequest request) throws IOException, ServletException {
        BodyHashes.Parts parts = new BodyHashes.Parts();
        for (Part part : request.getParts()) {
            parts.part(part.getName(), part.getSubmittedFileName(), part.getContentType(), part.getSize());
            try (InputStream in = part.getInputStream()) {
                // streamed: a large upload is hashed without being held in memory
                byte[] chunk = new byte[8192];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    parts.content(chunk, 0, n);
                }
            }
        }
        return parts.hex();
    }

    /** A request whose body has been read already; reading it again gives the same bytes. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        private CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("non-blocking reads of an already read body");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset;
            try {
                charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            } catch (IllegalArgumentException e) {
                charset = StandardCharsets.ISO_8859_1;
            }
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
