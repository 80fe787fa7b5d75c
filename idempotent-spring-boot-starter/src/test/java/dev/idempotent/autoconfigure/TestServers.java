package dev.idempotent.autoconfigure;

/** Where the real servers of the tests are; environment variables override the loopback defaults. */
final class TestServers {

    private TestServers() {}

    static String redisHost() {
        return env("IDEMPOTENCY_TEST_REDIS_HOST", "127.0.0.1");
    }

    static String redisPort() {
        return env("IDEMPOTENCY_TEST_REDIS_PORT", "6379");
    }

    static String postgresUrl() {
        return env("IDEMPOTENCY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    static String postgresUser() {
        return env("IDEMPOTENCY_TEST_POSTGRES_USER", "postgres");
    }

    static String postgresPassword() {
        return env("IDEMPOTENCY_TEST_POSTGRES_PASSWORD", "");
    }

    /**
     * Starts a non-web application on the given store, with Redis and PostgreSQL at the test servers and
     * the JDBC table created, plus {@code properties}.
     */
    static org.springframework.context.ConfigurableApplicationContext startNode(
            Class<?> application, String store, String table, String... properties) {
        return new org.springframework.boot.builder.SpringApplicationBuilder(application)
                .web(org.springframework.boot.WebApplicationType.NONE)
                .properties(nodeProperties(store, table, properties).toArray(String[]::new))
                .run();
    }

    /** What {@link #startNode} starts an application with, for an application started elsewhere (another JVM). */
    static java.util.List<String> nodeProperties(String store, String table, String... properties) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(
                "idempotency.store=" + store,
                "idempotency.jdbc.table-name=" + table,
                "idempotency.jdbc.initialize-schema=always",
                "spring.data.redis.host=" + redisHost(),
                "spring.data.redis.port=" + redisPort(),
                "spring.datasource.url=" + postgresUrl(),
                "spring.datasource.username=" + postgresUser(),
                "spring.datasource.password=" + postgresPassword(),
                "spring.main.banner-mode=off"));
        all.addAll(java.util.List.of(properties));
        return all;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
