package dev.idempotent.cli;

import dev.idempotent.support.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as Spring Boot's properties read them ({@link Durations}): {@code 500} (milliseconds),
 * {@code 500ms}, {@code 10s}, {@code 2m}, {@code 24h}, {@code 30d} or ISO-8601 ({@code PT2M}).
 */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
