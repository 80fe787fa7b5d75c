package dev.idempotent.store.redis;

import java.io.IOException;
import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

/**
 * Tells a Redis failure worth retrying (a refused, broken or closed connection, a command timeout, a server
 * that is loading its data, busy, or switching roles) from one that would fail again (a script error, a
 * refused command, a wrong answer).
 */
final class TransientRedisFailures {

    /** Error replies of a server that is starting, busy with a script, or in a failover. */
    private static final List<String> TRANSIENT_REPLIES =
            List.of("LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY");

    /** What Lettuce says when a command was sent on a connection that closed, or while disconnected. */
    private static final List<String> CONNECTION_LOST =
            List.of("Connection closed", "Connection reset", "not connected", "Connection refused");

    private TransientRedisFailures() {}

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessException
                    || t instanceof RecoverableDataAccessException
                    || t instanceof IOException) {
                return true;
            }
            String type = t.getClass().getName();
            if (type.equals("io.lettuce.core.RedisConnectionException")
                    || type.equals("io.lettuce.core.RedisCommandTimeoutException")) {
                return true;
            }
            String message = t.getMessage();
            if (message != null
                    && (TRANSIENT_REPLIES.stream().anyMatch(message::startsWith)
                            || CONNECTION_LOST.stream().anyMatch(message::contains))) {
                return true;
            }
        }
        return false;
    }
}
