package dev.idempotent.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What is remembered of a finished run: the stored result of the {@code run} namespace.
 *
 * @param key the key as the user gave it (the store key may be its hash); {@code null} if the stored run lacks it
 * @param command the command line, one argument per element
 * @param exitCode the command's exit code (non-zero only with {@code --remember-failures})
 * @param startedAt when the command was started
 * @param endedAt when it exited
 * @param host the host name of the machine that ran it; {@code null} if the stored run lacks it
 * @param user the user that ran it; {@code null} if unknown
 * @param directory the working directory; {@code null} if the stored run lacks it
 * @param output the last lines of its standard output and error, interleaved as they arrived
 */
record RunRecord(
        @Nullable String key,
        List<String> command,
        int exitCode,
        Instant startedAt,
        Instant endedAt,
        @Nullable String host,
        @Nullable String user,
        @Nullable String directory,
        List<String> output) {

    RunRecord {
        command = List.copyOf(command);
        output = List.copyOf(output);
    }

    Duration duration() {
        return Duration.between(startedAt, endedAt);
    }

    String commandLine() {
        return CommandLines.display(command);
    }

    ObjectNode toJson(JsonMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("key", key);
        ArrayNode arguments = node.putArray("command");
        command.forEach(arguments::add);
        node.put("exitCode", exitCode);
        node.put("startedAt", startedAt.toString());
        node.put("endedAt", endedAt.toString());
        node.put("host", host);
        node.put("user", user);
        node.put("directory", directory);
        ArrayNode lines = node.putArray("output");
        output.forEach(lines::add);
        return node;
    }

    static RunRecord fromJson(JsonNode node) {
        return new RunRecord(
                node.path("key").asString(null),
                strings(node.path("command")),
                node.path("exitCode").asInt(0),
                Instant.parse(node.path("startedAt").asString()),
                Instant.parse(node.path("endedAt").asString()),
                node.path("host").asString(null),
                node.path("user").asString(null),
                node.path("directory").asString(null),
                strings(node.path("output")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode element : array) {
            values.add(element.asString());
        }
        return values;
    }
}
