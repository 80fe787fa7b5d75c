package dev.idempotent.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The name of this machine, without a DNS lookup when the kernel can tell. */
final class Hosts {

    private static volatile @Nullable String name;

    private Hosts() {}

    static String name() {
        String cached = name;
        if (cached == null) {
            cached = lookup();
            name = cached;
        }
        return cached;
    }

    private static String lookup() {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        try {
            if (Files.isReadable(kernel)) {
                String host = Files.readString(kernel, StandardCharsets.UTF_8).strip();
                if (!host.isEmpty()) {
                    return host;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
