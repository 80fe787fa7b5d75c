package dev.idempotent.test;

import com.fasterxml.jackson.annotation.JsonValue;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * The values a replay must return {@code equals()} to the original, each with the declared return type it
 * is stored under: every type the README says can be returned, with the values that lose something on
 * a careless round trip ({@code BigDecimal} scale, {@code -0.0}, {@code NaN}, nanoseconds, offsets, zone
 * ids, map keys that are not strings).
 */
final class ReplayFidelityCases {

    private ReplayFidelityCases() {}

    /** One row: a name for the failure message, the declared type, the value. */
    record Case(String name, Type type, @Nullable Object value) {

        @Override
        public String toString() {
            return name;
        }
    }

    enum Color {
        RED,
        GREEN
    }

    enum Coded {
        FIRST("first-1"),
        SECOND("second-2");

        private final String code;

        Coded(String code) {
            this.code = code;
        }

        @JsonValue
        String code() {
            return code;
        }
    }

    record Money(BigDecimal amount, Currency currency) {}

    record Receipt(
            UUID id,
            Money total,
            Instant at,
            OffsetDateTime local,
            List<Money> lines,
            Map<Coded, Long> counts,
            Optional<String> note,
            byte[] signature,
            char grade,
            double ratio,
            float weight,
            Color color) {

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Receipt r
                    && id.equals(r.id)
                    && total.equals(r.total)
                    && at.equals(r.at)
                    && local.equals(r.local)
                    && lines.equals(r.lines)
                    && counts.equals(r.counts)
                    && note.equals(r.note)
                    && java.util.Arrays.equals(signature, r.signature)
                    && grade == r.grade
                    && Double.compare(ratio, r.ratio) == 0
                    && Float.compare(weight, r.weight) == 0
                    && color == r.color;
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String decimal :
                List.of("10.00", "19.990", "1E+3", "-0.000", "0.1", "123456789012345678901234567890.123456789")) {
            cases.add(new Case("BigDecimal " + decimal, BigDecimal.class, new BigDecimal(decimal)));
        }
        cases.add(new Case(
                "BigDecimal with negative scale", BigDecimal.class, new BigDecimal(BigInteger.valueOf(123), -3)));
        cases.add(new Case("BigInteger", BigInteger.class, new BigInteger("-123456789012345678901234567890")));
        cases.add(new Case("long beyond 2^53", long.class, (1L << 53) + 1));
        cases.add(new Case("Long.MIN_VALUE", Long.class, Long.MIN_VALUE));
        for (double d : new double[] {
            -0.0,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            0.1,
            Double.MIN_VALUE,
            Double.MAX_VALUE
        }) {
            cases.add(new Case("double " + d, double.class, d));
        }
        for (float f : new float[] {-0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f}) {
            cases.add(new Case("float " + f, Float.class, f));
        }
        cases.add(new Case("Instant with nanoseconds", Instant.class, Instant.parse("2024-02-29T23:59:59.123456789Z")));
        cases.add(new Case(
                "LocalDateTime with nanoseconds",
                LocalDateTime.class,
                LocalDateTime.parse("2024-02-29T23:59:59.000000001")));
        cases.add(new Case("LocalDate", LocalDate.class, LocalDate.parse("1999-12-31")));
        cases.add(new Case(
                "OffsetDateTime keeps its offset",
                OffsetDateTime.class,
                OffsetDateTime.parse("2024-03-10T01:02:03.456789+05:30")));
        cases.add(new Case(
                "ZonedDateTime keeps its zone id",
                ZonedDateTime.class,
                ZonedDateTime.of(LocalDateTime.parse("2024-07-01T10:11:12.5"), ZoneId.of("Europe/Paris"))));
        cases.add(new Case(
                "ZonedDateTime at a fixed offset",
                ZonedDateTime.class,
                ZonedDateTime.parse("2024-07-01T10:11:12-03:00")));
        cases.add(new Case("Duration", Duration.class, Duration.ofSeconds(-3, 5)));
        cases.add(new Case("Period", Period.class, Period.of(1, -2, 3)));
        cases.add(new Case("UUID", UUID.class, UUID.fromString("0b5cdd2c-0f0f-4b8e-9f5e-2d6f1a0c9e11")));
        cases.add(new Case("URI", URI.class, URI.create("https://example.com/a%20b?q=1&r=%C3%A9#frag")));
        cases.add(new Case("Currency", Currency.class, Currency.getInstance("JPY")));
        cases.add(new Case("Locale", Locale.class, Locale.CANADA_FRENCH));
        cases.add(new Case("Locale with a script", Locale.class, Locale.forLanguageTag("sr-Latn-RS")));
        cases.add(new Case("byte[]", byte[].class, new byte[] {0, 1, -1, 127, -128}));
        cases.add(new Case("char", char.class, 'é'));
        cases.add(new Case("Character NUL", Character.class, '\u0000'));
        cases.add(new Case("String with an emoji and a NUL", String.class, "a\u0000b 😀"));
        cases.add(new Case("null String", String.class, null));
        cases.add(new Case("enum", Color.class, Color.GREEN));
        cases.add(new Case("enum with @JsonValue", Coded.class, Coded.SECOND));
        cases.add(new Case(
                "Map with Integer keys",
                new ParameterizedTypeReference<Map<Integer, String>>() {}.getType(),
                new LinkedHashMap<>(Map.of(-2, "minus two", 7, "seven"))));
        cases.add(new Case(
                "Map with UUID keys",
                new ParameterizedTypeReference<Map<UUID, BigDecimal>>() {}.getType(),
                Map.of(UUID.fromString("00000000-0000-0000-0000-000000000001"), new BigDecimal("1.50"))));
        cases.add(new Case(
                "Map with enum keys",
                new ParameterizedTypeReference<Map<Color, Integer>>() {}.getType(),
                Map.of(Color.RED, 1, Color.GREEN, 2)));
        cases.add(new Case(
                "Map with @JsonValue enum keys",
                new ParameterizedTypeReference<Map<Coded, Integer>>() {}.getType(),
                Map.of(Coded.FIRST, 1)));
        cases.add(new Case(
                "Optional.empty()", new ParameterizedTypeReference<Optional<Money>>() {}.getType(), Optional.empty()));
        cases.add(new Case(
                "Optional of a decimal",
                new ParameterizedTypeReference<Optional<BigDecimal>>() {}.getType(),
                Optional.of(new BigDecimal("2.50"))));
        cases.add(new Case(
                "Set of decimals",
                new ParameterizedTypeReference<Set<BigDecimal>>() {}.getType(),
                Set.of(new BigDecimal("1.0"), new BigDecimal("1.00"))));
        cases.add(new Case(
                "nested generics",
                new ParameterizedTypeReference<Map<String, List<Optional<Money>>>>() {}.getType(),
                Map.of(
                        "eur",
                        List.of(
                                Optional.of(new Money(new BigDecimal("10.00"), Currency.getInstance("EUR"))),
                                Optional.empty()))));
        cases.add(new Case("record of everything", Receipt.class, receipt()));
        cases.add(new Case(
                "ResponseEntity with headers",
                new ParameterizedTypeReference<ResponseEntity<Money>>() {}.getType(),
                ResponseEntity.status(HttpStatus.CREATED)
                        .header("Location", "/receipts/1")
                        .header("X-Trace", "a", "b")
                        .eTag("\"v1\"")
                        .body(new Money(new BigDecimal("19.990"), Currency.getInstance("USD")))));
        cases.add(new Case(
                "ResponseEntity without a body",
                new ParameterizedTypeReference<ResponseEntity<Void>>() {}.getType(),
                ResponseEntity.noContent().header("X-Done", "yes").build()));
        return cases;
    }

    private static Receipt receipt() {
        return new Receipt(
                UUID.fromString("6a1f0e3c-2b7d-4c59-9a8e-0f1e2d3c4b5a"),
                new Money(new BigDecimal("10.00"), Currency.getInstance("EUR")),
                Instant.parse("2024-02-29T10:11:12.000000500Z"),
                OffsetDateTime.parse("2024-02-29T11:11:12.5+01:00"),
                List.of(
                        new Money(new BigDecimal("1E+3"), Currency.getInstance("CHF")),
                        new Money(new BigDecimal("-0.50"), Currency.getInstance("EUR"))),
                Map.of(Coded.FIRST, (1L << 53) + 1),
                Optional.empty(),
                new byte[] {1, 2, 3},
                'Z',
                -0.0,
                Float.NaN,
                Color.RED);
    }
}
