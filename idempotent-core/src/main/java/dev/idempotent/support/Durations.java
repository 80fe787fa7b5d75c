package dev.idempotent.support;

import java.time.Duration;
import org.springframework.format.annotation.DurationFormat;
import org.springframework.format.datetime.standard.DurationFormatterUtils;

/**
 * Reads a duration written as Spring Boot reads a {@code Duration} property, so that
 * {@code @Idempotent(ttl = "...")}, the {@code idempotency.*} properties and the command line's options
 * accept the same text: a whole number with an optional unit ({@code ns}, {@code us}, {@code ms},
 * {@code s}, {@code m}, {@code h}, {@code d}; none means milliseconds), such as {@code "500"},
 * {@code "500ms"}, {@code "10s"}, {@code "24h"}, {@code "7d"}, or ISO-8601, such as {@code "PT10S"} or
 * {@code "P7D"}. The parsing is Spring Framework's {@link DurationFormatterUtils}; Spring's composite style
 * ({@code "1h30m"}) is refused, because Spring Boot's properties refuse it.
 */
public final class Durations {

    private static final String FORMS = "use a whole number with an optional unit (ns, us, ms, s, m, h, d;"
            + " none means milliseconds) such as \"500\", \"30s\", \"24h\", \"7d\", or ISO-8601 such as \"PT24H\"";

    private Durations() {}

    /**
     * The positive duration that {@code text} (without surrounding whitespace) stands for.
     *
     * @throws IllegalArgumentException with a message that quotes the text and lists the accepted forms
     */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("a duration is required; " + FORMS);
        }
        Duration duration;
        try {
            DurationFormat.Style style = DurationFormatterUtils.detect(trimmed);
            if (style == DurationFormat.Style.COMPOSITE) {
                throw new IllegalArgumentException("composite durations are not read by Spring Boot's properties");
            }
            duration = DurationFormatterUtils.parse(trimmed, style, DurationFormat.Unit.MILLIS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; " + FORMS, e);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return duration;
    }
}
