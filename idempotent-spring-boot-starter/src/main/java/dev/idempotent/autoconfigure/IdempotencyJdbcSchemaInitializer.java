package dev.idempotent.autoconfigure;

import dev.idempotent.store.jdbc.JdbcSchemaScripts;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.core.io.Resource;
import org.springframework.util.StringUtils;

/**
 * {@link DataSourceScriptDatabaseInitializer} for the JDBC idempotency store's table: runs
 * {@code idempotency.jdbc.schema} (the shipped {@code schema-@@platform@@.sql}, {@code mysql} for MariaDB too)
 * as {@code idempotency.jdbc.initialize-schema} says, with the table renamed to
 * {@code idempotency.jdbc.table-name} in the shipped scripts. Beans that use the store wait for it, and for
 * Flyway and Liquibase, through Spring Boot's database initialization ordering. May be registered as a bean
 * to replace the auto-configured one.
 *
 * <p>With {@code initialize-schema=embedded} and a database that is not embedded (or cannot be reached at
 * startup), it runs nothing and does not need the database: the store reports an unreachable database at
 * its first call.
 */
public class IdempotencyJdbcSchemaInitializer extends DataSourceScriptDatabaseInitializer {

    private static final Log logger = LogFactory.getLog(IdempotencyJdbcSchemaInitializer.class);

    /** The script of MySQL serves MariaDB too. */
    private static final String MYSQL = "mysql";

    private final String tableName;

    private final boolean shippedScripts;

    /**
     * An initializer of the store's table in {@code dataSource}, as {@code properties} say.
     *
     * @throws IllegalStateException when the scripts would run and the database's platform cannot be told
     */
    public IdempotencyJdbcSchemaInitializer(DataSource dataSource, IdempotencyJdbcProperties properties) {
        super(dataSource, settings(dataSource, properties));
        this.tableName = properties.getTableName();
        this.shippedScripts = properties.getSchema().equals(properties.getDefaultSchemaLocation());
    }

    /** The {@code @@platform@@} of a database: Spring Boot's driver id, {@code mysql} for MariaDB as well. */
    static String platform(DatabaseDriver driver) {
        return driver == DatabaseDriver.MARIADB ? MYSQL : driver.getId();
    }

    private static PlatformPlaceholderDatabaseDriverResolver platforms() {
        return new PlatformPlaceholderDatabaseDriverResolver().withDriverPlatform(DatabaseDriver.MARIADB, MYSQL);
    }

    private static DatabaseInitializationSettings settings(
            DataSource dataSource, IdempotencyJdbcProperties properties) {
        DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
        settings.setMode(properties.getInitializeSchema());
        settings.setContinueOnError(properties.isContinueOnError());
        settings.setSchemaLocations(schemaLocations(dataSource, properties));
        return settings;
    }

    private static List<String> schemaLocations(DataSource dataSource, IdempotencyJdbcProperties properties) {
        DatabaseInitializationMode mode = properties.getInitializeSchema();
        if (mode == DatabaseInitializationMode.NEVER
                || (mode == DatabaseInitializationMode.EMBEDDED && !isEmbedded(dataSource))) {
            // nothing runs, so no platform is needed (and the database may be down at startup)
            return List.of();
        }
        if (StringUtils.hasText(properties.getPlatform())) {
            return platforms().resolveAll(properties.getPlatform(), properties.getSchema());
        }
        return platforms().resolveAll(dataSource, properties.getSchema());
    }

    private static boolean isEmbedded(DataSource dataSource) {
        try {
            return EmbeddedDatabaseConnection.isEmbedded(dataSource);
        } catch (RuntimeException e) {
            logger.debug("Could not tell whether the idempotency store's database is embedded", e);
            return false;
        }
    }

    /** Runs the scripts, the shipped ones for this table's name. */
    @Override
    protected void runScripts(Scripts scripts) {
        if (!shippedScripts) {
            super.runScripts(scripts);
            return;
        }
        List<Resource> forTable = new ArrayList<>();
        scripts.forEach(script -> forTable.add(JdbcSchemaScripts.forTable(script, tableName)));
        super.runScripts(new Scripts(forTable)
                .continueOnError(scripts.isContinueOnError())
                .separator(scripts.getSeparator())
                .encoding(scripts.getEncoding()));
    }
}
