package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spring Boot's duration syntax; the starter's DurationSyntaxTests compares it with Boot's own binding. */
class DurationsTests {

    @ParameterizedTest
    @CsvSource({
        "500, PT0.5S",
        "500ms, PT0.5S",
        "10s, PT10S",
        "30m, PT30M",
        "24h, PT24H",
        "7d, PT168H",
        "7D, PT168H",
        "' 24h ', PT24H",
        "+10s, PT10S",
        "PT24H, PT24H",
        "pt90m, PT1H30M",
        "P7D, PT168H",
        "1500us, PT0.0015S",
        "2000000ns, PT0.002S"
    })
    void readsSpringBootsSimpleAndIsoDurations(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h", "1.5h", "24 hours", "1 h", "tomorrow", "1w", "PT", "1h30m", "1d 2h", "(1h)"})
    void rejectsTextThatIsNotADuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("none means milliseconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "-1h", "PT0S", "PT-5M"})
    void rejectsZeroAndNegativeDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a positive duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void rejectsBlankText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a duration is required");
    }
}
