package dev.idempotent.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the application and a real server, for fault injection: it passes bytes both ways
 * until told to drop every connection, drop one, delay traffic, black-hole it (connections stay open and
 * nothing passes, as when a network path dies), or refuse new connections (as while a server restarts).
 *
 * <p>Listens on 127.0.0.1 on a free port; {@link #close()} ends every thread and socket it made.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode {
        /** Passes bytes both ways. */
        PASS,
        /**
         * Holds connections open and passes nothing (bytes sent meanwhile are lost, so those connections are
         * reset when traffic passes again); new connections are accepted and stall too.
         */
        BLACK_HOLE,
        /** Resets new connections at once; existing ones are dropped when this mode is set. */
        REFUSE,
        /**
         * Passes the application's bytes to the server but loses the server's answers: the server does the
         * work and the application never hears of it. Those connections are reset when traffic passes again.
         */
        LOSE_ANSWERS
    }

    private final String targetHost;

    private final int targetPort;

    private final ServerSocket server;

    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fault-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private final AtomicInteger accepted = new AtomicInteger();

    private volatile Mode mode = Mode.PASS;

    private volatile long delayMillis;

    private volatile boolean closed;

    public FaultProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("Could not open the fault proxy's port", e);
        }
        threads.execute(this::accept);
    }

    /** The port the application connects to. */
    public int port() {
        return server.getLocalPort();
    }

    /** How many connections the proxy has accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** How many connections are open through the proxy. */
    public int openConnections() {
        return links.size();
    }

    /** Passes traffic again; connections that lost bytes in a black hole are reset. */
    public void pass() {
        mode = Mode.PASS;
        delayMillis = 0;
        for (Link link : links) {
            if (link.damaged) {
                link.drop();
            }
        }
    }

    /** Holds every connection, old and new, with nothing passing: a dead network path. */
    public void blackHole() {
        mode = Mode.BLACK_HOLE;
    }

    /** Drops every connection and resets new ones until {@link #pass()}: a server that is down. */
    public void refuse() {
        mode = Mode.REFUSE;
        dropAll();
    }

    /** The server still gets every request, but its answers are lost until {@link #pass()}. */
    public void loseAnswers() {
        mode = Mode.LOSE_ANSWERS;
    }

    /** Delays every chunk of bytes by {@code millis}. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** Resets every open connection (the server side and the application side). */
    public void dropAll() {
        for (Link link : links) {
            link.drop();
        }
    }

    /** Resets one open connection, if there is one; {@code true} if it did. */
    public boolean dropOne() {
        for (Link link : links) {
            link.drop();
            return true;
        }
        return false;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (mode == Mode.REFUSE) {
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            threads.execute(() -> link.pump(client, upstream));
            threads.execute(() -> link.pump(upstream, client));
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        dropAll();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing is what matters
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** One proxied connection: the application's socket and the server's. */
    private final class Link {

        private final Socket client;

        private final Socket upstream;

        /** Whether bytes were lost in a black hole: the stream cannot go on. */
        private volatile boolean damaged;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    boolean answer = from == upstream;
                    if (mode == Mode.BLACK_HOLE || (mode == Mode.LOSE_ANSWERS && answer) || damaged) {
                        damaged = true;
                        continue;
                    }
                    long delay = delayMillis;
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // dropped, closed, or the proxy is closing
            } finally {
                drop();
            }
        }

        void drop() {
            if (links.remove(this)) {
                reset(client);
                reset(upstream);
            }
        }
    }
}
