package dev.idempotent.autoconfigure;

import dev.idempotent.IdempotencyConfigurationException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * What the JDBC store checks and says at startup: which database the records go to (its URL without
 * credentials), a WARN when that database lives in memory outside tests, and a failure with the fix when
 * the table does not exist and nothing will create it. A database that cannot be reached at startup is
 * not checked: the store reports it at the first call.
 */
final class JdbcStoreStartupChecks {

    private static final Log logger = LogFactory.getLog(JdbcStoreStartupChecks.class);

    /** {@code user:password@} after {@code //}. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/@?;]*@");

    /** {@code password=...}, {@code user=...} and the like in a query string or {@code ;key=value} list. */
    private static final Pattern CREDENTIAL_PARAMETER = Pattern.compile(
            "(?i)([?&;])(password|passwd|pwd|user|username|sslpassword|sslkey|sslcert|oauth[a-z_]*)=[^&;]*");

    private JdbcStoreStartupChecks() {
    }

    /** The database as the startup line names it. */
    record Database(@Nullable String url, @Nullable String productName, boolean inMemory) {

        /** An in-memory H2 database, which {@code initialize-schema=embedded} creates the table in. */
        boolean isEmbeddedH2() {
            return "H2".equalsIgnoreCase(productName) && url != null && url.startsWith("jdbc:h2:mem:");
        }

        /** The shipped DDL for this database, e.g. {@code dev/idempotent/store/jdbc/schema-postgresql.sql}. */
        String ddlResource() {
            String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
            String suffix = name.contains("postgresql") ? "postgresql"
                    : name.contains("mysql") || name.contains("mariadb") ? "mysql" : name.equals("h2") ? "h2" : null;
            return suffix == null ? "dev/idempotent/store/jdbc/schema-<postgresql|mysql|h2>.sql"
                    : "dev/idempotent/store/jdbc/schema-" + suffix + ".sql";
        }
    }

    /** The database behind {@code dataSource}, or {@code null} if it cannot be reached now. */
    static @Nullable Database inspect(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData metaData = connection.getMetaData();
            String url = metaData.getURL();
            return new Database(withoutCredentials(url), metaData.getDatabaseProductName(), isInMemory(url));
        } catch (SQLException | RuntimeException e) {
            logger.debug("Could not reach the idempotency store's database at startup", e);
            return null;
        }
    }

    /** A JDBC URL with any user, password or key material taken out. */
    static @Nullable String withoutCredentials(@Nullable String url) {
        if (url == null) {
            return null;
        }
        String clean = USER_INFO.matcher(url).replaceFirst("");
        clean = CREDENTIAL_PARAMETER.matcher(clean).replaceAll("$1$2=***");
        return clean;
    }

    /** Whether the URL names a database that lives in this JVM's memory and ends with it. */
    static boolean isInMemory(@Nullable String url) {
        if (url == null) {
            return false;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("jdbc:h2:mem:") || lower.startsWith("jdbc:hsqldb:mem:")
                || lower.startsWith("jdbc:derby:memory:");
    }

    /** Whether this looks like a test run (JUnit or Spring's TestContext on the classpath). */
    static boolean runningInTests() {
        ClassLoader loader = JdbcStoreStartupChecks.class.getClassLoader();
        return ClassUtils.isPresent("org.springframework.test.context.TestContextManager", loader)
                || ClassUtils.isPresent("org.junit.jupiter.api.Test", loader);
    }

    /** The WARN for an in-memory database outside tests, or {@code null} when there is nothing to say. */
    static @Nullable String inMemoryWarning(@Nullable Database database, boolean inTests) {
        if (database == null || !database.inMemory() || inTests) {
            return null;
        }
        return "The JDBC idempotency store keeps its records in an in-memory database (" + database.url()
                + "): they are lost when the application stops and are not shared with other instances. Set"
                + " spring.datasource.url to a shared database, or idempotency.store=redis or caffeine";
    }

    /**
     * Fails when {@code table} cannot be read and {@code idempotency.jdbc.initialize-schema} did not create
     * it, saying how to create it.
     */
    static void requireTable(DataSource dataSource, @Nullable Database database, String table,
            IdempotencyProperties.InitializeSchema initializeSchema) {
        if (database == null) {
            return;
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            logger.debug("Could not check the idempotency table '" + table + "' at startup", e);
            return;
        }
        try (connection; Statement statement = connection.createStatement()) {
            statement.setMaxRows(1);
            statement.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
        } catch (SQLException e) {
            String why = initializeSchema == IdempotencyProperties.InitializeSchema.NEVER
                    ? "idempotency.jdbc.initialize-schema=never"
                    : "idempotency.jdbc.initialize-schema=embedded creates it only in an in-memory H2 database, and "
                            + database.url() + " is not one";
            throw new IdempotencyConfigurationException("The JDBC idempotency store's table '" + table
                    + "' cannot be read in " + database.url() + " (" + String.valueOf(e.getMessage()).strip() + "), and " + why
                    + ". Create it with the DDL shipped in the starter's jar, classpath:" + database.ddlResource()
                    + "; or set idempotency.jdbc.initialize-schema=always to create it at startup; or, with"
                    + " Flyway or Liquibase, copy that script into a migration (renaming the table to '" + table
                    + "').", e);
        } catch (RuntimeException e) {
            logger.debug("Could not check the idempotency table '" + table + "' at startup", e);
        }
    }
}
