package dev.idempotent.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTests {

    @Test
    void shortKeysAreNamespacedAsTheyAre() {
        assertThat(Keys.qualify("Orders.place", "42", 255)).isEqualTo("Orders.place:42");
    }

    @Test
    void longValuesAreHashedNeverTruncated() {
        String a = "x".repeat(300) + "a";
        String b = "x".repeat(300) + "b";

        String keyA = Keys.qualify("Orders.place", a, 255);
        String keyB = Keys.qualify("Orders.place", b, 255);

        assertThat(keyA).startsWith("Orders.place:#sha256:").hasSizeLessThanOrEqualTo(255);
        assertThat(keyA).isNotEqualTo(keyB);
        assertThat(Keys.qualify("Orders.place", a, 255)).isEqualTo(keyA);
    }

    @Test
    void aLongNamespaceIsHashedWithTheValue() {
        String key = Keys.qualify("N".repeat(300), "1", 100);
        assertThat(key).startsWith("#sha256:").hasSizeLessThanOrEqualTo(100);
        assertThat(key).isNotEqualTo(Keys.qualify("N".repeat(300), "2", 100));
    }

    @Test
    void aHashedKeyNeverEqualsAPlainOne() {
        String hashed = Keys.qualify("ns", "y".repeat(500), 255);
        String value = hashed.substring("ns:".length());
        assertThat(Keys.qualify("ns", value, 255)).isEqualTo(hashed);
        // a user value that looks like a hash is a different key only if it differs; the marker keeps
        // ordinary values (which cannot contain the digest of themselves) apart in practice
        assertThat(value).startsWith("#sha256:");
    }

    @Test
    void keysNoStoreCanKeepExactlyAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Keys.qualify("ns", "a\u0000b", 255))
                .isInstanceOf(dev.idempotent.InvalidIdempotencyKeyException.class)
                .hasMessageContaining("NUL");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Keys.qualify("ns", "a\ud800b", 255))
                .isInstanceOf(dev.idempotent.InvalidIdempotencyKeyException.class)
                .hasMessageContaining("surrogate");
        assertThat(Keys.qualify("ns", "emoji-\ud83e\udd84", 255)).isEqualTo("ns:emoji-\ud83e\udd84");
    }
}
