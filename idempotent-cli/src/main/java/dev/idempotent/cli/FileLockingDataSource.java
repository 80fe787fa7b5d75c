package dev.idempotent.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Lets several {@code idempotent} processes on one machine share an embedded H2 file database: an
 * embedded database can be open in one process at a time, so every connection is taken under an
 * exclusive lock on a file next to the database (an operating system lock, released even when a
 * process is killed), and the database is closed again when the connection is closed. Each store step
 * opens its own connection, so a process holds the database only for the few milliseconds of a step,
 * never while its command runs.
 */
final class FileLockingDataSource extends DelegatingDataSource {

    /** How long a step waits for another process's step to finish before the store counts as unavailable. */
    private static final long LOCK_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final Path lockFile;

    /** One step at a time in this JVM too: a JVM cannot hold two locks on one file. */
    private final ReentrantLock local = new ReentrantLock();

    private @Nullable FileChannel channel;

    private @Nullable FileLock fileLock;

    FileLockingDataSource(DataSource target, Path lockFile) {
        super(target);
        this.lockFile = lockFile;
    }

    @Override
    public Connection getConnection() throws SQLException {
        acquire();
        try {
            return guard(super.getConnection());
        } catch (SQLException | RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        acquire();
        try {
            return guard(super.getConnection(username, password));
        } catch (SQLException | RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    private void acquire() throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_TIMEOUT_MILLIS);
        try {
            if (!local.tryLock(LOCK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw timeout();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for the lock on " + lockFile, e);
        }
        if (local.getHoldCount() > 1) {
            return;
        }
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long pause = 1;
            while ((fileLock = channel.tryLock()) == null) {
                if (System.nanoTime() > deadline) {
                    throw timeout();
                }
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 20);
            }
        } catch (IOException | OverlappingFileLockException e) {
            closeChannel();
            local.unlock();
            throw new SQLException("Could not lock " + lockFile + ": " + e, e);
        } catch (InterruptedException e) {
            closeChannel();
            local.unlock();
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for the lock on " + lockFile, e);
        } catch (SQLException e) {
            closeChannel();
            local.unlock();
            throw e;
        }
    }

    private SQLException timeout() {
        return new SQLException("Another idempotent process has held the embedded database (" + lockFile
                + ") for more than " + LOCK_TIMEOUT_MILLIS / 1000 + " s");
    }

    private void release() {
        if (!local.isHeldByCurrentThread()) {
            return;
        }
        if (local.getHoldCount() == 1) {
            closeChannel();
        }
        local.unlock();
    }

    private void closeChannel() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        fileLock = null;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing left to release
        }
        channel = null;
    }

    /** The connection, releasing the lock when it is closed (once). */
    private Connection guard(Connection connection) {
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (closed[0]) {
                                return null;
                            }
                            closed[0] = true;
                            try {
                                connection.close();
                            } finally {
                                release();
                            }
                            return null;
                        }
                        case "isClosed" -> {
                            if (closed[0]) {
                                return true;
                            }
                        }
                        case "unwrap" -> {
                            if (((Class<?>) args[0]).isInstance(proxy)) {
                                return proxy;
                            }
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        default -> {}
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
