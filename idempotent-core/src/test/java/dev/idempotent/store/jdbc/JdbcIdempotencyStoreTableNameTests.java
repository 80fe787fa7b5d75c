package dev.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Table names are identifiers, never SQL; the shipped DDL follows the configured name; each database gets its
 * statements, with named parameters only. No database needed.
 */
class JdbcIdempotencyStoreTableNameTests {

    private final DriverManagerDataSource neverUsed = new DriverManagerDataSource("jdbc:h2:mem:never-used");

    @ParameterizedTest
    @ValueSource(strings = {"idempotency_record", "IdemRecords", "_t1", "app.idempotency_record", "s_1.t_2"})
    void acceptsPlainAndSchemaQualifiedIdentifiers(String name) {
        assertThat(new JdbcIdempotencyStore(neverUsed, name).getTableName()).isEqualTo(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {"1table", "a.b.c", "a b", "t;DROP TABLE users", "t--", "\"quoted\"", "t.", ".t", "täble", "t(x)"
            })
    void rejectsAnythingElse(String name) {
        assertThatThrownBy(() -> new JdbcIdempotencyStore(neverUsed, name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid idempotency table name");
    }

    @Test
    void rejectsOverlongNames() {
        assertThatThrownBy(() -> new JdbcIdempotencyStore(neverUsed, "t".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultTableIsIdempotencyRecord() {
        assertThat(new JdbcIdempotencyStore(neverUsed).getTableName()).isEqualTo("idempotency_record");
    }

    @Test
    void theShippedScriptsFollowTheConfiguredTableAndIndexNames() throws IOException {
        for (String platform : List.of("postgresql", "mysql", "h2")) {
            String ddl = JdbcSchemaScripts.forTable(JdbcSchemaScripts.script(platform), "app.orders_idem")
                    .getContentAsString(StandardCharsets.UTF_8);
            assertThat(ddl)
                    .as(platform)
                    .contains("CREATE TABLE IF NOT EXISTS app.orders_idem (")
                    .contains("orders_idem_expires_idx")
                    .doesNotContain("idempotency_record")
                    .doesNotContain("app.orders_idem_expires_idx");
        }
    }

    @Test
    void theDefaultTableGetsTheShippedScriptItselfAndABadNameNoScriptAtAll() {
        Resource script = JdbcSchemaScripts.script("h2");
        assertThat(script.exists()).isTrue();
        assertThat(JdbcSchemaScripts.forTable(script, "idempotency_record")).isSameAs(script);
        assertThatThrownBy(() -> JdbcSchemaScripts.forTable(script, "t; DROP TABLE users"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid idempotency table name");
    }

    @Test
    void theStatementsAreChosenFromTheProductNameAndVersion() {
        assertThat(JdbcStatements.forDatabase("PostgreSQL", 15, 4, "t")).isInstanceOf(PostgresStatements.class);
        assertThat(JdbcStatements.forDatabase("MariaDB", 10, 11, "t")).isInstanceOf(MariaDbStatements.class);
        assertThat(JdbcStatements.forDatabase("MariaDB", 11, 0, "t")).isInstanceOf(MariaDbStatements.class);
        assertThat(JdbcStatements.forDatabase("MariaDB", 10, 4, "t")).isExactlyInstanceOf(MySqlStatements.class);
        assertThat(JdbcStatements.forDatabase("MySQL", 8, 0, "t")).isExactlyInstanceOf(MySqlStatements.class);
        assertThat(JdbcStatements.forDatabase("H2", 2, 3, "t")).isInstanceOf(H2Statements.class);
        assertThatThrownBy(() -> JdbcStatements.forDatabase("Oracle", 23, 0, "t"))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Oracle");
    }

    @Test
    void everyStatementNamesItsParametersAndUsesTheTable() {
        for (JdbcStatements sql : List.of(
                new PostgresStatements("app.t"),
                new MySqlStatements("app.t"),
                new MariaDbStatements("app.t"),
                new H2Statements("app.t"))) {
            List<String> statements = Stream.of(
                            sql.select,
                            sql.insertIfAbsent,
                            sql.upsertReturning,
                            sql.insertReturning,
                            sql.takeOverExpired,
                            sql.complete,
                            sql.renew,
                            sql.release,
                            sql.deleteLive,
                            sql.deleteAny,
                            sql.deleteExpired,
                            sql.list)
                    .filter(Objects::nonNull)
                    .toList();
            assertThat(statements)
                    .as(sql.toString())
                    .allSatisfy(statement ->
                            assertThat(statement).doesNotContain("?").contains("app.t"));
        }
        assertThat(new PostgresStatements("t").upsertReturning)
                .contains("ON CONFLICT")
                .contains("RETURNING");
        assertThat(new MariaDbStatements("t").insertReturning)
                .startsWith("INSERT IGNORE")
                .contains("RETURNING");
        assertThat(new MySqlStatements("t").insertReturning).isNull();
    }
}
