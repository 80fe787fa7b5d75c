package dev.idempotent.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * MySQL 5.7+ and MariaDB before 10.5 (InnoDB). Times are {@code DATETIME(6)} in UTC from
 * {@code UTC_TIMESTAMP(6)}, so neither the server's nor the session's time zone matters. {@code INSERT IGNORE}
 * is safe here only because the store validates every value's length first (it would otherwise turn a too
 * long value into a truncation warning). The key column is {@code VARBINARY}: the key's UTF-8 bytes.
 */
class MySqlStatements extends JdbcStatements {

    private static final String NOW = "UTC_TIMESTAMP(6)";

    MySqlStatements(String table) {
        super(table);
    }

    @Override
    String displayName() {
        return "MySQL/MariaDB";
    }

    @Override
    String schemaPlatform() {
        return "mysql";
    }

    @Override
    final String now() {
        return NOW;
    }

    @Override
    final String plusMicros(String parameter) {
        return "DATE_ADD(" + NOW + ", INTERVAL " + parameter + " MICROSECOND)";
    }

    @Override
    final String insertIfAbsent(String values) {
        return "INSERT IGNORE INTO " + table + " (" + COLUMNS + ") VALUES (" + values + ")";
    }

    @Override
    final String deleteExpired() {
        return "DELETE FROM " + table + " WHERE expires_at <= " + NOW + " ORDER BY expires_at LIMIT :batchSize";
    }

    @Override
    final @Nullable Instant readInstant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    @Override
    final String readKey(ResultSet rs, String column) throws SQLException {
        return new String(rs.getBytes(column), StandardCharsets.UTF_8);
    }
}
