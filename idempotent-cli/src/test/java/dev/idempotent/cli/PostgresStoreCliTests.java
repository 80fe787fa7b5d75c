package dev.idempotent.cli;

import java.util.Objects;

/**
 * The command line on a real PostgreSQL ({@code IDEMPOTENCY_TEST_POSTGRES_URL}, default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code IDEMPOTENCY_TEST_POSTGRES_USER} or postgres).
 */
class PostgresStoreCliTests extends CliStoreTestSupport {

    static final String URL = Objects.requireNonNullElse(
            System.getenv("IDEMPOTENCY_TEST_POSTGRES_URL"), "jdbc:postgresql://127.0.0.1:5432/test");

    @Override
    protected String storeUrl() {
        return URL;
    }

    @Override
    protected void configure(Cli cli) {
        cli.env(
                "IDEMPOTENT_STORE_USER",
                Objects.requireNonNullElse(System.getenv("IDEMPOTENCY_TEST_POSTGRES_USER"), "postgres"));
        String password = System.getenv("IDEMPOTENCY_TEST_POSTGRES_PASSWORD");
        if (password != null) {
            cli.env("IDEMPOTENT_STORE_PASSWORD", password);
        }
    }
}
