package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationParserTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "10s, PT10S",
            "30m, PT30M",
            "24h, PT24H",
            "7d, PT168H",
            "7D, PT168H",
            "' 24h ', PT24H",
            "PT24H, PT24H",
            "pt90m, PT1H30M",
            "P7D, PT168H",
            "1 h, PT1H" })
    void readsSimpleAndIsoDurations(String text, String expected) {
        assertThat(DurationParser.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = { "24", "h", "1.5h", "24 hours", "-1h", "tomorrow", "1w", "PT" })
    void rejectsTextThatIsNotADuration(String text) {
        assertThatThrownBy(() -> DurationParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = { "0s", "PT0S", "PT-5M" })
    void rejectsZeroAndNegativeDurations(String text) {
        assertThatThrownBy(() -> DurationParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "  " })
    void rejectsBlankText(String text) {
        assertThatThrownBy(() -> DurationParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("required");
    }
}
