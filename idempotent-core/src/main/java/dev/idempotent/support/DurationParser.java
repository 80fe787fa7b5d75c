package dev.idempotent.support;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations of {@code @Idempotent}: {@code "500ms"}, {@code "10s"}, {@code "30m"},
 * {@code "24h"}, {@code "7d"} (a whole number and a unit, case-insensitive) or ISO-8601
 * ({@code "PT24H"}, {@code "P7D"}). A duration must be positive.
 */
public final class DurationParser {

    private static final Pattern SIMPLE = Pattern.compile("^([0-9]{1,12})\\s*(ms|s|m|h|d)$");

    private DurationParser() {
    }

    /**
     * @throws IllegalArgumentException with a message that quotes the text and lists the accepted forms
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required; use e.g. \"30s\", \"30m\", \"24h\", \"7d\" or \"PT24H\"");
        }
        String trimmed = text.trim();
        Duration duration = parseSimple(trimmed.toLowerCase(Locale.ROOT));
        if (duration == null) {
            try {
                duration = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; use a whole number with a unit"
                        + " (ms, s, m, h, d) such as \"30s\", \"30m\", \"24h\", \"7d\", or ISO-8601 such as \"PT24H\"");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return duration;
    }

    private static Duration parseSimple(String text) {
        Matcher m = SIMPLE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
