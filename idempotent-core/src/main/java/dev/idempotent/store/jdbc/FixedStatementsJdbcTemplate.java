package dev.idempotent.store.jdbc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.PreparedStatementCreatorFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;

/**
 * A {@link NamedParameterJdbcTemplate} for a fixed set of statements, each always run with parameters of the
 * same names and types and no collections: the SQL with {@code ?} markers and its declared parameters are
 * worked out once per statement instead of at every call, since the store runs them on its hot path (a
 * replay is one {@code SELECT}). Not for statements whose parameters vary in type or expand to lists.
 */
final class FixedStatementsJdbcTemplate extends NamedParameterJdbcTemplate {

    private final Map<String, PreparedStatementCreatorFactory> factories = new ConcurrentHashMap<>();

    FixedStatementsJdbcTemplate(DataSource dataSource) {
        super(dataSource);
    }

    @Override
    protected PreparedStatementCreatorFactory getPreparedStatementCreatorFactory(
            ParsedSql parsedSql, SqlParameterSource paramSource) {
        return factories.computeIfAbsent(
                parsedSql.toString(), sql -> super.getPreparedStatementCreatorFactory(parsedSql, paramSource));
    }
}
