package dev.idempotent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small pure parts: command lines, fingerprints, formats, the output tail, store URLs. */
class UnitsTests {

    @Test
    void commandLinesAreShownAsAShellWouldNeedThem() {
        assertThat(CommandLines.display(List.of("./deploy.sh", "prod"))).isEqualTo("./deploy.sh prod");
        assertThat(CommandLines.display(List.of("sh", "-c", "echo 'hi' $X", "")))
                .isEqualTo("sh -c 'echo '\\''hi'\\'' $X' ''");
    }

    @Test
    void fingerprintsHashTheArgumentsAndFitEveryStore() {
        String fingerprint = CommandLines.fingerprint(List.of("echo", "a b"));
        String other = CommandLines.fingerprint(List.of("echo", "a", "b"));
        String huge = CommandLines.fingerprint(List.of("echo", "x".repeat(1000) + "🦄".repeat(100)));

        assertThat(fingerprint).isNotEqualTo(other);
        assertThat(CommandLines.displayOf(fingerprint)).isEqualTo("echo 'a b'");
        assertThat(CommandLines.displayOf(other)).isEqualTo("echo a b");
        assertThat(huge)
                .hasSizeLessThanOrEqualTo(CommandLines.MAX_FINGERPRINT_LENGTH)
                .endsWith("…");
        assertThat(CommandLines.displayOf("not-ours")).isNull();
        String unicorns = CommandLines.fingerprint(List.of("🦄".repeat(200)));
        assertThat(unicorns).hasSizeLessThanOrEqualTo(CommandLines.MAX_FINGERPRINT_LENGTH);
        assertThat(Character.isHighSurrogate(unicorns.charAt(unicorns.length() - 2)))
                .isFalse();
    }

    @Test
    void durationsAreShortAndReadable() {
        assertThat(Formats.duration(Duration.ofMillis(420))).isEqualTo("0.4 s");
        assertThat(Formats.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(Formats.duration(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
        assertThat(Formats.duration(Duration.ofMinutes(123))).isEqualTo("2 h 3 min");
        assertThat(Formats.duration(Duration.ofHours(76))).isEqualTo("3 d 4 h");
        assertThat(Formats.option(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Formats.option(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void theOutputTailKeepsTheLastLinesOfBothStreamsWithoutEscapes() {
        OutputTail tail = new OutputTail(3);
        OutputTail.Sink out = tail.sink();
        OutputTail.Sink err = tail.sink();
        write(out, "one\ntwo\n\u001B[31mred\u001B[0m\u0007\b\r\nhalf");
        write(err, "error\n");
        out.close();
        err.close();

        assertThat(tail.lines()).containsExactly("red", "error", "half");
        OutputTail none = new OutputTail(0);
        write(none.sink(), "x\n");
        assertThat(none.lines()).isEmpty();
        OutputTail longLines = new OutputTail(1);
        write(longLines.sink(), "y".repeat(10_000) + "\n");
        assertThat(longLines.lines().get(0)).hasSize(OutputTail.MAX_LINE_LENGTH);
    }

    @Test
    void storeUrlsAreRecognisedAndPasswordsNeverShown() {
        assertThat(StoreUrls.embeddedH2File("jdbc:h2:file:/tmp/x/store;MODE=X")).isEqualTo(Path.of("/tmp/x/store"));
        assertThat(StoreUrls.embeddedH2File("jdbc:h2:/tmp/y")).isEqualTo(Path.of("/tmp/y"));
        assertThat(StoreUrls.embeddedH2File("jdbc:h2:tcp://host/db")).isNull();
        assertThat(StoreUrls.embeddedH2File("jdbc:h2:mem:x")).isNull();
        assertThat(StoreUrls.redacted("redis://:secret@host:6379/0")).isEqualTo("redis://:***@host:6379/0");
        assertThat(StoreUrls.redacted("redis://user:secret@host:6379/0")).isEqualTo("redis://user:***@host:6379/0");
        assertThat(StoreUrls.redacted("redis://secret@host:6379/0")).isEqualTo("redis://***@host:6379/0");
        assertThat(StoreUrls.redacted("redis://user:se/cr@et@host:6379/0")).isEqualTo("redis://user:***@host:6379/0");
        assertThat(StoreUrls.redacted("redis://host:6379/0")).isEqualTo("redis://host:6379/0");
        assertThat(StoreUrls.redacted("redis://u:pw/x@host:6379/0?clientName=a@b"))
                .isEqualTo("redis://u:***@host:6379/0?clientName=a@b");
        assertThat(StoreUrls.redacted("redis://host:6379/0?clientName=a:b@c")).doesNotContain("b@c");
        assertThat(StoreUrls.redacted("jdbc:postgresql://h/db?user=u&password=p&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(StoreUrls.home(java.util.Map.of("HOME", "/home/ci"))).isEqualTo(Path.of("/home/ci/.idempotent"));
        assertThat(StoreUrls.home(java.util.Map.of("HOME", "/home/ci", "IDEMPOTENT_HOME", "/var/idem")))
                .isEqualTo(Path.of("/var/idem"));
    }

    @Test
    void theCommandGetsTheLocaleTheLauncherReplacedBack() {
        java.util.Map<String, String> unset = new java.util.HashMap<>(
                java.util.Map.of("LC_ALL", "C.UTF-8", "IDEMPOTENT_LAUNCHER_LC_ALL", "1", "LANG", "C"));
        java.util.Map<String, String> set = new java.util.HashMap<>(java.util.Map.of(
                "LC_ALL", "C.UTF-8", "IDEMPOTENT_LAUNCHER_LC_ALL", "1", "IDEMPOTENT_ORIGINAL_LC_ALL", "POSIX"));
        java.util.Map<String, String> untouched = new java.util.HashMap<>(java.util.Map.of("LC_ALL", "de_DE.UTF-8"));

        CommandRunner.restoreLauncherLocale(unset);
        CommandRunner.restoreLauncherLocale(set);
        CommandRunner.restoreLauncherLocale(untouched);

        assertThat(unset).isEqualTo(java.util.Map.of("LANG", "C"));
        assertThat(set).isEqualTo(java.util.Map.of("LC_ALL", "POSIX"));
        assertThat(untouched).isEqualTo(java.util.Map.of("LC_ALL", "de_DE.UTF-8"));
    }

    private static void write(OutputTail.Sink sink, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        sink.write(bytes, bytes.length);
    }
}
