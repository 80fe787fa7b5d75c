package dev.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Table names are identifiers, never SQL; the shipped DDL follows the configured name. No database needed. */
class JdbcIdempotencyStoreTableNameTest {

    private final DriverManagerDataSource neverUsed = new DriverManagerDataSource("jdbc:h2:mem:never-used");

    @ParameterizedTest
    @ValueSource(strings = {"idempotency_record", "IdemRecords", "_t1", "app.idempotency_record", "s_1.t_2"})
    void acceptsPlainAndSchemaQualifiedIdentifiers(String name) {
        assertThat(new JdbcIdempotencyStore(neverUsed, name).getTableName()).isEqualTo(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"1table", "a.b.c", "a b", "t;DROP TABLE users", "t--", "\"quoted\"", "t.", ".t", "täble",
            "t(x)"})
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
    void theShippedDdlUsesTheConfiguredTableAndIndexNames() {
        for (JdbcDialect dialect : JdbcDialect.values()) {
            List<String> ddl = JdbcIdempotencyStore.schemaStatements(dialect, "app.orders_idem");
            String all = String.join("\n", ddl);
            assertThat(all).as(dialect.name())
                    .contains("CREATE TABLE IF NOT EXISTS app.orders_idem (")
                    .contains("orders_idem_expires_idx")
                    .doesNotContain("idempotency_record")
                    .doesNotContain("app.orders_idem_expires_idx")
                    .doesNotContain("--");
        }
    }

    @Test
    void theDialectIsDetectedFromTheProductName() {
        assertThat(JdbcDialect.forProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
        assertThat(JdbcDialect.forProductName("MariaDB")).isEqualTo(JdbcDialect.MYSQL);
        assertThat(JdbcDialect.forProductName("MySQL")).isEqualTo(JdbcDialect.MYSQL);
        assertThat(JdbcDialect.forProductName("H2")).isEqualTo(JdbcDialect.H2);
        assertThatThrownBy(() -> JdbcDialect.forProductName("Oracle"))
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Oracle");
    }
}
