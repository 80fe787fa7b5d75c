package dev.idempotent.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * The DDL of {@link JdbcIdempotencyStore}, shipped next to it: {@code schema-postgresql.sql},
 * {@code schema-mysql.sql} (MySQL and MariaDB) and {@code schema-h2.sql}, each creating the
 * {@value JdbcIdempotencyStore#DEFAULT_TABLE_NAME} table and its expiry index if they do not exist. Run them
 * with Spring's tools, which read the statements and comments of a script:
 * <pre class="code">
 * new ResourceDatabasePopulator(JdbcSchemaScripts.script("postgresql")).execute(dataSource);
 * </pre>
 * or with Spring Boot's database initialization (the starter does, {@link #LOCATION}), or copy one into a
 * Flyway or Liquibase migration.
 */
public final class JdbcSchemaScripts {

    /** Where the scripts are, with Spring Boot's {@code @@platform@@}: {@code postgresql}, {@code mysql} or {@code h2}. */
    public static final String LOCATION = "classpath:dev/idempotent/store/jdbc/schema-@@platform@@.sql";

    private static final Pattern TABLE = Pattern.compile("\\b" + JdbcIdempotencyStore.DEFAULT_TABLE_NAME + "\\b");

    private static final Pattern INDEX =
            Pattern.compile("\\b" + JdbcIdempotencyStore.DEFAULT_TABLE_NAME + "_expires_idx\\b");

    private JdbcSchemaScripts() {}

    /**
     * The shipped script of {@code platform}.
     *
     * @param platform {@code postgresql}, {@code mysql} (MySQL and MariaDB) or {@code h2}
     */
    public static Resource script(String platform) {
        return new ClassPathResource(LOCATION.substring("classpath:".length()).replace("@@platform@@", platform));
    }

    /**
     * {@code script}, a shipped script, for the table {@code tableName}: the table and its index
     * ({@code <table>_expires_idx}) renamed; {@code script} itself for {@value JdbcIdempotencyStore#DEFAULT_TABLE_NAME}.
     *
     * @throws IllegalArgumentException if {@code tableName} is not a valid table name of the store
     */
    public static Resource forTable(Resource script, String tableName) {
        JdbcIdempotencyStore.validateTableName(tableName);
        if (tableName.equals(JdbcIdempotencyStore.DEFAULT_TABLE_NAME)) {
            return script;
        }
        String ddl;
        try (InputStream in = script.getInputStream()) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + script.getDescription(), e);
        }
        String simpleName = tableName.substring(tableName.indexOf('.') + 1);
        ddl = INDEX.matcher(ddl).replaceAll(Matcher.quoteReplacement(simpleName + "_expires_idx"));
        ddl = TABLE.matcher(ddl).replaceAll(Matcher.quoteReplacement(tableName));
        return new ByteArrayResource(
                ddl.getBytes(StandardCharsets.UTF_8), script.getDescription() + " for table " + tableName);
    }
}
