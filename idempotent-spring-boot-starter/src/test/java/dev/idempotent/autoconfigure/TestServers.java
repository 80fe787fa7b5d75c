package dev.idempotent.autoconfigure;

/** Where the real servers of the tests are; environment variables override the loopback defaults. */
final class TestServers {

    private TestServers() {
    }

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

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
