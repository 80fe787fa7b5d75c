package dev.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Misconfiguration that would only show at run time stops the application at startup, with the fix in
 * the message; the startup line says where the records go.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupChecksTests {

    private static final String PAYMENTS = """
            package probe;

            import dev.idempotent.Idempotent;

            public class Payments {

                @Idempotent(key = "KEY")
                public String charge(String paymentId, long amountCents) {
                    return paymentId;
                }
            }
            """;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withPropertyValues("idempotency.store=caffeine")
            .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class));

    @TempDir
    Path dir;

    // ---- parameter names ----

    @Test
    void aKeyNamingAParameterOfAClassCompiledWithoutParameterNamesFailsAndSaysWhatToDo() throws Exception {
        Class<?> payments = compile("#paymentId", false);

        runner.withClassLoader(payments.getClassLoader())
                .withBean(payments.getName(), Object.class, () -> newInstance(payments))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(configurationFailure(context))
                            .hasMessageContaining("'#paymentId' on Payments.charge(String, long)")
                            .hasMessageContaining("compiled without parameter names, so they would be null at run time")
                            .hasMessageContaining("Compile with -parameters")
                            .hasMessageContaining("#p0 or #a0 for the String, #p1 or #a1 for the long");
                });
    }

    @Test
    void positionalReferencesNeedNoParameterNames() throws Exception {
        Class<?> payments = compile("#p0 + ':' + #a1 + ':' + #root.methodName", false);

        runner.withClassLoader(payments.getClassLoader())
                .withBean(payments.getName(), Object.class, () -> newInstance(payments))
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aNameThatIsNoParameterFailsAndListsTheParameters() throws Exception {
        Class<?> payments = compile("#paymentID", true);

        runner.withClassLoader(payments.getClassLoader())
                .withBean(payments.getName(), Object.class, () -> newInstance(payments))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(configurationFailure(context))
                            .hasMessageContaining(
                                    "names #paymentID, which is not a parameter of the method; its parameters"
                                            + " are #paymentId, #amountCents");
                });
    }

    /** Compiles {@code Payments} with {@code key}, with or without {@code -parameters}, and loads it. */
    private Class<?> compile(String key, boolean parameterNames) throws Exception {
        Path sources = Files.createDirectories(dir.resolve("src/probe"));
        Path classes = Files.createDirectories(dir.resolve(parameterNames ? "with-names" : "without-names"));
        Path source = Files.writeString(sources.resolve("Payments.java"), PAYMENTS.replace("KEY", key));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of(
                "-d",
                classes.toString(),
                "-classpath",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
        if (parameterNames) {
            arguments.add("-parameters");
        }
        arguments.add(source.toString());
        assertThat(compiler.run(null, null, null, arguments.toArray(String[]::new)))
                .isZero();
        URLClassLoader loader = new URLClassLoader(
                new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        Class<?> payments = loader.loadClass("probe.Payments");
        assertThat(payments.getMethod("charge", String.class, long.class)
                        .getParameters()[0]
                        .isNamePresent())
                .isEqualTo(parameterNames);
        return payments;
    }

    // ---- arguments that cannot be fingerprinted ----

    /** State, but no property Jackson writes: every command would be fingerprinted as {}. */
    public static class TransferCommand {
        private final String id;

        private final long amountCents;

        public TransferCommand(String id, long amountCents) {
            this.id = id;
            this.amountCents = amountCents;
        }

        public String id() {
            return id;
        }

        public long amountCents() {
            return amountCents;
        }
    }

    public static class Transfers {
        @dev.idempotent.Idempotent(key = "#command.id()")
        public String transfer(TransferCommand command) {
            return command.id();
        }
    }

    @Test
    void anArgumentThatWouldBeFingerprintedAsAnEmptyObjectStopsTheApplicationOnceAtStartup() {
        runner.withConfiguration(
                        AutoConfigurations.of(org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class))
                .withBean(Transfers.class)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(configurationFailure(context))
                            .hasMessageContaining(
                                    "@Idempotent on Transfers.transfer(TransferCommand) cannot fingerprint its"
                                            + " argument #command")
                            .hasMessageContaining("written as {} and two different calls would look the same")
                            .hasMessageContaining("Give @Idempotent a fingerprint expression");
                });
    }

    /** The IdempotencyConfigurationException that stopped the context. */
    private static Throwable configurationFailure(org.springframework.context.ApplicationContext context) {
        Throwable failure = ((org.springframework.boot.test.context.assertj.AssertableApplicationContext) context)
                .getStartupFailure();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof dev.idempotent.IdempotencyConfigurationException) {
                return t;
            }
        }
        throw new AssertionError("no IdempotencyConfigurationException in", failure);
    }

    private static Object newInstance(Class<?> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the JDBC table ----

    private ApplicationContextRunner postgres(String table, String... properties) {
        return runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        "idempotency.store=jdbc",
                        "idempotency.jdbc.table-name=" + table,
                        "spring.datasource.url=" + TestServers.postgresUrl(),
                        "spring.datasource.username=" + TestServers.postgresUser(),
                        "spring.datasource.password=" + TestServers.postgresPassword())
                .withPropertyValues(properties);
    }

    private static String missingTable() {
        return "idem_missing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void aMissingTableWithInitializeSchemaNeverFailsWithTheThreeWaysToCreateIt() {
        String table = missingTable();
        postgres(table, "idempotency.jdbc.initialize-schema=never").run(context -> {
            assertThat(context).hasFailed();
            assertThat(configurationFailure(context))
                    .hasMessageContaining("The JDBC idempotency store's table '" + table + "' cannot be read in"
                            + " jdbc:postgresql://")
                    .hasMessageContaining("idempotency.jdbc.initialize-schema=never")
                    .hasMessageContaining("classpath:dev/idempotent/store/jdbc/schema-postgresql.sql")
                    .hasMessageContaining("set idempotency.jdbc.initialize-schema=always")
                    .hasMessageContaining("Flyway or Liquibase");
        });
    }

    @Test
    void aMissingTableWithInitializeSchemaEmbeddedOnARealDatabaseFailsAndSaysWhy() {
        postgres(missingTable()).run(context -> {
            assertThat(context).hasFailed();
            assertThat(configurationFailure(context))
                    .hasMessageContaining("initialize-schema=embedded creates it only in an in-memory H2 database")
                    .hasMessageContaining("schema-postgresql.sql");
        });
    }

    @Test
    void theStartupLineNamesTheDatabaseWithoutCredentialsAndTheTable(CapturedOutput output) {
        String table = missingTable();
        String url = TestServers.postgresUrl() + (TestServers.postgresUrl().contains("?") ? "&" : "?")
                + "password=s3cret-" + table;
        postgres(table, "idempotency.jdbc.initialize-schema=always", "spring.datasource.url=" + url)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    new org.springframework.jdbc.core.JdbcTemplate(context.getBean(javax.sql.DataSource.class))
                            .execute("DROP TABLE " + table);
                });

        assertThat(output)
                .contains("Idempotency store: jdbc, jdbc:postgresql://")
                .contains("password=***")
                .contains("table '" + table + "'")
                .doesNotContain("s3cret");
    }

    @Test
    void anInMemoryDatabaseIsNamedAndOutsideTestsWarnedAbout(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues("idempotency.store=jdbc", "spring.datasource.url=jdbc:h2:mem:startup-line")
                .run(context -> assertThat(context).hasNotFailed());

        assertThat(output).contains("Idempotency store: jdbc, jdbc:h2:mem:startup-line, table 'idempotency_record'");
        JdbcStoreStartupChecks.Database inMemory = new JdbcStoreStartupChecks.Database("jdbc:h2:mem:x", "H2", true);
        assertThat(JdbcStoreStartupChecks.inMemoryWarning(inMemory, false))
                .contains("in-memory database (jdbc:h2:mem:x)")
                .contains("lost when the application stops")
                .contains("spring.datasource.url");
        assertThat(JdbcStoreStartupChecks.inMemoryWarning(inMemory, true)).isNull();
        assertThat(JdbcStoreStartupChecks.inMemoryWarning(
                        new JdbcStoreStartupChecks.Database("jdbc:h2:file:/data/x", "H2", false), false))
                .isNull();
    }

    @Test
    void credentialsAreTakenOutOfJdbcUrls() {
        assertThat(JdbcStoreStartupChecks.withoutCredentials(
                        "jdbc:postgresql://app:pw@db:5432/shop?ssl=true&password=pw"))
                .isEqualTo("jdbc:postgresql://db:5432/shop?ssl=true&password=***");
        assertThat(JdbcStoreStartupChecks.withoutCredentials("jdbc:h2:mem:x;USER=sa;PASSWORD=pw"))
                .isEqualTo("jdbc:h2:mem:x;USER=***;PASSWORD=***");
        assertThat(JdbcStoreStartupChecks.withoutCredentials("jdbc:mariadb://db/shop?user=app&pwd=pw"))
                .isEqualTo("jdbc:mariadb://db/shop?user=***&pwd=***");
    }

    // ---- Redis ----

    @Test
    void theStartupLineNamesTheRedisServerAndDatabase(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                .withPropertyValues(
                        "idempotency.store=redis",
                        "spring.data.redis.host=" + TestServers.redisHost(),
                        "spring.data.redis.port=" + TestServers.redisPort(),
                        "spring.data.redis.database=3",
                        "spring.data.redis.password=n0t-shown")
                .run(context -> assertThat(context).hasNotFailed());

        assertThat(output)
                .contains("Idempotency store: redis, redis://" + TestServers.redisHost() + ":" + TestServers.redisPort()
                        + "/3, key prefix 'idempotency:'")
                .doesNotContain("n0t-shown");
    }
}
