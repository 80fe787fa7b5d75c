package dev.idempotent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo commands, run in order by {@code src/test/readme-demo.sh} against a freshly started
 * demo, give the answers the README prints next to them. The demo runs from the compiled classes (the jar
 * is built after the tests), on a free port; the script kills it on exit, and this test kills the
 * script's whole process tree if it does not finish in time.
 */
class ReadmeDemoTests {

    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void everyReadmeDemoCommandGivesTheAnswerTheReadmePrints(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String classpath = Arrays.stream(
                        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                                .split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        String demo = JAVA + " -XX:TieredStopAtLevel=1 -cp " + classpath + " " + DemoApplication.class.getName();
        Path output = dir.resolve("readme-demo.out");
        ProcessBuilder builder = new ProcessBuilder("bash", "src/test/readme-demo.sh")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("DEMO_PORT", Integer.toString(port));
        builder.environment().put("DEMO_START", demo + " --server.port=" + port);
        builder.environment().put("DEMO_JAR", demo);
        Process script = builder.start();
        try {
            boolean finished = script.waitFor(5, TimeUnit.MINUTES);
            String log = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(log);
            assertThat(finished)
                    .as("the script did not finish within 5 minutes:\n" + log)
                    .isTrue();
            assertThat(script.exitValue()).as(log).isZero();
            assertThat(log).contains("README demo: every command gave the answer the README gives");
        } finally {
            killTree(script);
        }
    }

    /** The script, then (should anything be left) every process below it, the demo's group included. */
    private static void killTree(Process script) throws InterruptedException {
        List<ProcessHandle> descendants = script.descendants().toList();
        script.destroy();
        if (!script.waitFor(10, TimeUnit.SECONDS)) {
            script.destroyForcibly();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
