package dev.idempotent.cli;

import dev.idempotent.support.Keys;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The command line of a run: how it is shown (shell-quoted) and its fingerprint.
 *
 * <p>The fingerprint is the SHA-256 of the arguments (each one, NUL-separated: a NUL cannot occur in an
 * argument) followed by a space and the shell-quoted command line, shortened to fit the
 * {@value #MAX_FINGERPRINT_LENGTH} characters every store accepts. The readable part is derived from the
 * same arguments, so two fingerprints are equal exactly when the hashes are; it lets a key reuse or an
 * in-flight message name the command of a run that has not finished yet.
 */
final class CommandLines {

    /** What the JDBC store accepts, and so every store. */
    static final int MAX_FINGERPRINT_LENGTH = 255;

    private static final int HASH_LENGTH = 64;

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private CommandLines() {}

    /** The arguments as a POSIX shell would need them typed: {@code ./deploy.sh 'two words'}. */
    static String display(List<String> command) {
        StringBuilder line = new StringBuilder();
        for (String argument : command) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(argument));
        }
        return line.toString();
    }

    static String quote(String argument) {
        if (!argument.isEmpty() && SAFE.matcher(argument).matches()) {
            return argument;
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    static String fingerprint(List<String> command) {
        String hash = Keys.sha256Hex(String.join("\0", command));
        return hash + " " + shorten(display(command), MAX_FINGERPRINT_LENGTH - HASH_LENGTH - 1);
    }

    /** The readable command line kept in a fingerprint, or {@code null} if it has none. */
    static @Nullable String displayOf(@Nullable String fingerprint) {
        if (fingerprint == null || fingerprint.length() <= HASH_LENGTH + 1 || fingerprint.charAt(HASH_LENGTH) != ' ') {
            return null;
        }
        return fingerprint.substring(HASH_LENGTH + 1);
    }

    /** {@code text} cut to at most {@code max} characters, ending with an ellipsis when cut. */
    static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
