package dev.idempotent.autoconfigure;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.store.jdbc.JdbcSchemaScripts;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.util.ClassUtils;

/**
 * What the JDBC store checks and says at startup, after the database initializers have run: which database
 * the records go to (its URL without credentials), a WARN when that database lives in memory outside tests,
 * and a failure with the fix when the table does not exist. A database that cannot be reached at startup is
 * not checked: the store reports it at the first call.
 */
final class JdbcStoreStartupChecks {

    private static final Log logger = LogFactory.getLog(JdbcStoreStartupChecks.class);

    /** {@code user:password@} after {@code //}. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/@?;]*@");

    /** {@code password=...}, {@code user=...} and the like in a query string or {@code ;key=value} list. */
    private static final Pattern CREDENTIAL_PARAMETER = Pattern.compile(
            "(?i)([?&;])(password|passwd|pwd|user|username|sslpassword|sslkey|sslcert|oauth[a-z_]*)=[^&;]*");

    private JdbcStoreStartupChecks() {}

    /**
     * The database as the startup line names it.
     *
     * @param inMemory whether it is embedded, as Spring Boot's {@link EmbeddedDatabaseConnection} tells: in this
     *     JVM's memory, gone when it stops
     */
    record Database(@Nullable String url, @Nullable String productName, boolean inMemory) {

        /** The shipped DDL for this database, e.g. {@code classpath:dev/idempotent/store/jdbc/schema-postgresql.sql}. */
        String ddlResource() {
            DatabaseDriver driver = DatabaseDriver.fromProductName(productName);
            if (driver == DatabaseDriver.UNKNOWN) {
                return JdbcSchemaScripts.LOCATION.replace("@@platform@@", "<postgresql|mysql|h2>");
            }
            return JdbcSchemaScripts.LOCATION.replace(
                    "@@platform@@", IdempotencyJdbcSchemaInitializer.platform(driver));
        }
    }

    /** The database behind {@code dataSource}, or {@code null} if it cannot be reached now. */
    static @Nullable Database inspect(DataSource dataSource) {
        String url;
        String productName;
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData metaData = connection.getMetaData();
            url = metaData.getURL();
            productName = metaData.getDatabaseProductName();
        } catch (SQLException | RuntimeException e) {
            logger.debug("Could not reach the idempotency store's database at startup", e);
            return null;
        }
        return new Database(withoutCredentials(url), productName, EmbeddedDatabaseConnection.isEmbedded(dataSource));
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
     * Fails when the store's table cannot be read once the database initializers have run, saying why
     * {@code idempotency.jdbc.initialize-schema} did not create it and how to create it.
     */
    static void requireTable(DataSource dataSource, @Nullable Database database, IdempotencyJdbcProperties properties) {
        if (database == null) {
            return;
        }
        String table = properties.getTableName();
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            logger.debug("Could not check the idempotency table '" + table + "' at startup", e);
            return;
        }
        try (connection;
                Statement statement = connection.createStatement()) {
            statement.setMaxRows(1);
            statement.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
        } catch (SQLException e) {
            throw new IdempotencyConfigurationException(
                    "The JDBC idempotency store's table '" + table
                            + "' cannot be read in " + database.url() + " ("
                            + (e.getMessage() == null ? e : e.getMessage().strip()) + "), and "
                            + whyNotCreated(database, properties)
                            + ". Create it with the DDL shipped in the starter's jar,"
                            + " " + database.ddlResource()
                            + "; or set idempotency.jdbc.initialize-schema=always to create it"
                            + " at startup; or, with Flyway or Liquibase, copy that script into a migration (renaming the"
                            + " table to '" + table + "').",
                    e);
        } catch (RuntimeException e) {
            logger.debug("Could not check the idempotency table '" + table + "' at startup", e);
        }
    }

    private static String whyNotCreated(Database database, IdempotencyJdbcProperties properties) {
        return switch (properties.getInitializeSchema()) {
            case NEVER -> "idempotency.jdbc.initialize-schema=never";
            case EMBEDDED ->
                database.inMemory()
                        ? "idempotency.jdbc.initialize-schema=embedded did not create it with " + properties.getSchema()
                                + " (the failed statement is logged at debug level by org.springframework.jdbc.datasource.init;"
                                + " idempotency.jdbc.continue-on-error=false stops at it)"
                        : "idempotency.jdbc.initialize-schema=embedded creates it only in an in-memory H2 database, and "
                                + database.url() + " is not one";
            case ALWAYS ->
                "idempotency.jdbc.initialize-schema=always did not create it with " + properties.getSchema()
                        + " (the failed statement is logged at debug level by org.springframework.jdbc.datasource.init;"
                        + " idempotency.jdbc.continue-on-error=false stops at it)";
        };
    }
}
