package dev.idempotent.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --store URL}, shared by every subcommand. */
final class StoreOption {

    @Option(
            names = "--store",
            paramLabel = "URL",
            order = 50,
            description = {
                "Where runs are recorded: jdbc:postgresql://HOST:5432/DB, jdbc:mariadb://HOST:3306/DB,"
                        + " redis://HOST:6379/0 (rediss:// for TLS) or jdbc:h2:file:PATH.",
                "Default: the IDEMPOTENT_STORE environment variable, else an embedded H2 file in"
                        + " ~/.idempotent (IDEMPOTENT_HOME), for one machine."
            })
    @Nullable
    String url;

    OpenStore open() {
        return Stores.open(StoreUrls.url(url, System.getenv()), System.getenv());
    }
}
