package dev.idempotent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.InvalidIdempotencyKeyException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyHeaderTests {

    private static final String HEADER = "Idempotency-Key";

    private static String parse(String... values) {
        return IdempotencyKeyHeader.parse(List.of(values), HEADER);
    }

    @Test
    void absentHeaderHasNoKey() {
        assertThat(parse()).isNull();
    }

    @Test
    void sfStringAndBareValueAreTheSameKey() {
        assertThat(parse("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""))
                .isEqualTo(parse("8e03978e-40d5-43e8-bc93-6894a57f9324"))
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
    }

    @Test
    void sfStringEscapesAreDecoded() {
        assertThat(parse("\"a\\\"b\\\\c\"")).isEqualTo("a\"b\\c");
    }

    @Test
    void surroundingWhitespaceIsNotPartOfTheKey() {
        assertThat(parse("  abc\t")).isEqualTo("abc");
        assertThat(parse(" \"abc\" ")).isEqualTo("abc");
    }

    @Test
    void bareValueMayContainQuotesAfterTheFirstCharacter() {
        assertThat(parse("ab\"c")).isEqualTo("ab\"c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\"\""})
    void emptyKeyIsRejected(String value) {
        assertThatThrownBy(() -> parse(value))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void keyOf255CharactersIsAcceptedAnd256AreRejected() {
        assertThat(parse("k".repeat(255))).hasSize(255);
        assertThat(parse("\"" + "k".repeat(255) + "\"")).hasSize(255);
        assertThatThrownBy(() -> parse("k".repeat(256)))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("256 characters")
                .hasMessageContaining("at most 255");
        assertThatThrownBy(() -> parse("\"" + "k".repeat(256) + "\""))
                .isInstanceOf(InvalidIdempotencyKeyException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "\"a b\"", "caf\u00e9", "a\u0001b", "a\u007fb", "\u20ac", "tab\tinside"})
    void charactersOutsideVisibleAsciiAreRejected(String value) {
        assertThatThrownBy(() -> parse(value))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("outside visible ASCII");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc", "\"abc\"def", "\"a\\bc\"", "\"abc\\\"", "\"abc\";p=1"})
    void malformedSfStringIsRejected(String value) {
        assertThatThrownBy(() -> parse(value))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("RFC 8941");
    }

    @Test
    void headerSentTwiceWithTheSameKeyIsAccepted() {
        assertThat(parse("abc", "\"abc\"")).isEqualTo("abc");
    }

    @Test
    void headerSentTwiceWithDifferentKeysIsRejected() {
        assertThatThrownBy(() -> parse("abc", "abd"))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("2 times with different values");
    }

    @Test
    void anInvalidRepeatIsRejectedEvenIfTheFirstIsValid() {
        assertThatThrownBy(() -> parse("abc", "")).isInstanceOf(InvalidIdempotencyKeyException.class);
    }

    @Test
    void messagesNameTheConfiguredHeader() {
        assertThatThrownBy(() -> IdempotencyKeyHeader.parse(List.of(""), "X-Request-Key"))
                .hasMessageContaining("X-Request-Key header is empty");
    }
}
