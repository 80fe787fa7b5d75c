package dev.idempotent.store.jdbc;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells a failure worth retrying on a fresh connection (a broken, stale or refused connection, a server
 * shutting down or starting, a timeout, a deadlock, a serialization failure) from one that would fail
 * again (a missing table, a constraint, bad SQL).
 */
final class TransientSqlFailures {

    /**
     * PostgreSQL: admin shutdown, crash shutdown, cannot connect now (57P01-57P03); every database:
     * serialization failure (40001); PostgreSQL deadlock (40P01); lock and query timeouts (HYT00, 55P03).
     */
    private static final Set<String> TRANSIENT_STATES =
            Set.of("57P01", "57P02", "57P03", "40001", "40P01", "HYT00", "55P03");

    /**
     * MySQL and MariaDB: lock wait timeout (1205), deadlock (1213), server shutdown (1053), connection
     * killed (1927), server gone away (2006), lost connection (2013), query interrupted (1317).
     */
    private static final Set<Integer> TRANSIENT_MYSQL_CODES = Set.of(1205, 1213, 1053, 1927, 2006, 2013, 1317);

    private TransientSqlFailures() {}

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientDataAccessException
                    || t instanceof RecoverableDataAccessException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException sql && isTransient(sql)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || TRANSIENT_STATES.contains(state))) {
            return true;
        }
        return TRANSIENT_MYSQL_CODES.contains(e.getErrorCode());
    }
}
