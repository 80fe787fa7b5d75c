package dev.idempotent.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the store is, from {@code --store} and the environment, and how its URL may be shown: the URL in
 * effect, the embedded store's folder, the file of an embedded H2 URL, the user of a URL, and the URL with its
 * secrets taken out. Parsing only: nothing here connects.
 */
final class StoreUrls {

    static final String ENV_STORE = "IDEMPOTENT_STORE";

    static final String ENV_USER = "IDEMPOTENT_STORE_USER";

    static final String ENV_PASSWORD = "IDEMPOTENT_STORE_PASSWORD";

    static final String ENV_HOME = "IDEMPOTENT_HOME";

    private StoreUrls() {}

    /** The store URL in effect: the option, else the environment, else {@code null} for the default. */
    static @Nullable String url(@Nullable String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = env.get(ENV_STORE);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
    }

    /**
     * {@code $IDEMPOTENT_HOME}, else {@code $HOME/.idempotent}, else {@code user.home/.idempotent}: always an
     * absolute path, so that every run of one user finds the same store whatever its working directory.
     *
     * @throws UsageException none of them is an absolute path
     */
    static Path home(Map<String, String> env) {
        String explicit = env.get(ENV_HOME);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            if (!path.isAbsolute()) {
                throw new UsageException(ENV_HOME + " must be an absolute path, was '" + explicit + "'");
            }
            return path;
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        Path path = home == null || home.isBlank() ? null : Path.of(home);
        if (path == null || !path.isAbsolute()) {
            throw new UsageException("Cannot place the embedded store: HOME is not set (or not an absolute path)."
                    + " Set " + ENV_HOME + " to a folder, or use --store / " + ENV_STORE);
        }
        return path.resolve(".idempotent");
    }

    /** The database file of an embedded H2 URL ({@code jdbc:h2:file:/x}, {@code jdbc:h2:~/x}, {@code jdbc:h2:/x}), else null. */
    static @Nullable Path embeddedH2File(String url) {
        String rest = url.substring("jdbc:h2:".length());
        int settings = rest.indexOf(';');
        String path = settings < 0 ? rest : rest.substring(0, settings);
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mem:")
                || lower.startsWith("tcp:")
                || lower.startsWith("ssl:")
                || lower.startsWith("zip:")) {
            return null;
        }
        if (lower.startsWith("file:")) {
            path = path.substring("file:".length());
        } else if (lower.matches("^[a-z]+:.*") && !lower.matches("^[a-z]:[\\\\/].*")) {
            return null; // another H2 file system (nio, split, async, ...): left as it is
        }
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        return Path.of(path);
    }

    /** The user of {@code redis://user:@host} (an empty password), which the Redis client drops; else null. */
    static @Nullable String urlUser(String url) {
        int scheme = url.indexOf("://");
        int at = userInfoEnd(url, scheme);
        if (at < 0) {
            return null;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon <= 0 ? null : URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8);
    }

    /**
     * The URL without its secrets: the password of the user information ({@code redis://u:secret@h} →
     * {@code redis://u:***@h}; all of it when it has no colon, since Redis reads {@code redis://secret@h} as
     * a password), and {@code password=} parameters.
     */
    static String redacted(String url) {
        String result = url;
        int scheme = url.indexOf("://");
        int at = userInfoEnd(url, scheme);
        if (at < 0 && scheme >= 0) {
            // none before a '?' or '#': perhaps a password that holds one, unencoded; better hide too much
            at = url.lastIndexOf('@') > scheme ? url.lastIndexOf('@') : -1;
        }
        if (at >= 0) {
            String userInfo = url.substring(scheme + 3, at);
            int colon = userInfo.indexOf(':');
            String kept = colon < 0 ? "" : userInfo.substring(0, colon + 1);
            result = url.substring(0, scheme + 3) + kept + "***" + url.substring(at);
        }
        return result.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /**
     * The {@code @} that ends the user information of {@code scheme://user:password@host/path?query}: the
     * last one before the query ({@code ?}) or fragment ({@code #}), so that a password may hold an
     * unencoded {@code @} or {@code /} and a query an {@code @}; -1 if there is none.
     */
    private static int userInfoEnd(String url, int scheme) {
        if (scheme < 0) {
            return -1;
        }
        int end = url.length();
        for (int i = scheme + 3; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = url.lastIndexOf('@', end - 1);
        return at > scheme ? at : -1;
    }
}
