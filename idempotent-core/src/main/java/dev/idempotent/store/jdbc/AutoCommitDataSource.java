package dev.idempotent.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The store's own view of the application's {@link DataSource}: connections in auto-commit mode, so that
 * each statement of the store commits on its own without a {@code BEGIN}/{@code COMMIT} pair (or a query of
 * the isolation level) around it, even when the pool hands out connections with auto-commit off. A pool
 * puts auto-commit back when the connection is returned.
 *
 * <p>Being another object than the application's DataSource, it never shares a connection that a caller's
 * transaction has bound to the thread: Spring binds connections to the DataSource object, so the store's
 * steps commit whatever the caller's transaction does.
 */
final class AutoCommitDataSource extends DelegatingDataSource {

    AutoCommitDataSource(DataSource target) {
        super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return autoCommit(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return autoCommit(super.getConnection(username, password));
    }

    private static Connection autoCommit(Connection connection) throws SQLException {
        try {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }
}
