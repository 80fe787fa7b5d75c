package dev.idempotent.cli;

import dev.idempotent.store.IdempotencyRecord;
import java.io.PrintStream;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What is known about one key, for people ({@code status}, {@code list}, messages) and scripts
 * ({@code --json}).
 *
 * @param key the key as the user gave it
 * @param storeKey the key in the store ({@code run:KEY}, or its hash when too long)
 * @param record the store's record, or {@code null} if none
 * @param run the finished run it holds, or {@code null} while running (or if unreadable)
 * @param problem why a completed record could not be read, or {@code null}
 */
record RecordView(
        String key,
        String storeKey,
        @Nullable IdempotencyRecord record,
        @Nullable RunRecord run,
        @Nullable String problem) {

    /** What {@code store} knows of the run key {@code key} (given to {@code run --key}). */
    static RecordView find(dev.idempotent.store.IdempotencyStore store, String key) {
        String storeKey = dev.idempotent.support.Keys.qualify(RunCommand.NAMESPACE, key, store.maxKeyLength());
        return of(key, storeKey, store.find(storeKey).orElse(null), new RunRecordCodec(Json.MAPPER));
    }

    static RecordView of(String key, String storeKey, @Nullable IdempotencyRecord record, RunRecordCodec codec) {
        if (record == null || !record.isCompleted()) {
            return new RecordView(key, storeKey, record, null, null);
        }
        byte[] payload = record.payload();
        if (payload == null) {
            return new RecordView(key, storeKey, record, null, "the completed record holds no payload");
        }
        try {
            return new RecordView(key, storeKey, record, codec.decode(payload), null);
        } catch (RuntimeException e) {
            return new RecordView(key, storeKey, record, null, Stores.describe(e));
        }
    }

    /** For a listed record: the user's key comes from the run when it is finished, else from the store key. */
    static RecordView listed(IdempotencyRecord record, RunRecordCodec codec) {
        String storeKey = record.key();
        String key = storeKey.startsWith(RunCommand.NAMESPACE + ":")
                ? storeKey.substring(RunCommand.NAMESPACE.length() + 1)
                : storeKey;
        RecordView view = of(key, storeKey, record, codec);
        if (view.run != null && view.run.key() != null) {
            return new RecordView(view.run.key(), storeKey, record, view.run, null);
        }
        return view;
    }

    /** {@code none}, {@code running}, {@code done} (exit 0) or {@code failed} (a remembered failure). */
    String state() {
        if (record == null) {
            return "none";
        }
        if (record.isInProgress()) {
            return "running";
        }
        return run != null && run.exitCode() != 0 ? "failed" : "done";
    }

    /** The command line, shortened for a running one; {@code null} if unknown. */
    @Nullable
    String commandLine() {
        if (run != null) {
            return run.commandLine();
        }
        return record == null ? null : CommandLines.displayOf(record.fingerprint());
    }

    /** {@code already ran at T on HOST (exit 0, 42 s)} or {@code is running since T}. */
    String summary() {
        if (record == null) {
            return "has no record";
        }
        if (record.isInProgress()) {
            return "is running since " + Formats.time(record.createdAt())
                    + (commandLine() == null ? "" : " (" + commandLine() + ")");
        }
        if (run == null) {
            return "is done (completed at " + Formats.time(record.createdAt()) + "; its record is unreadable: "
                    + problem + ")";
        }
        return alreadyRan(run);
    }

    /** {@code already ran at 2026-11-23T10:15:30Z on build-7 (exit 0, 42 s)}. */
    static String alreadyRan(RunRecord run) {
        return "already ran at " + Formats.time(run.startedAt()) + " on " + run.host() + " (exit " + run.exitCode()
                + ", " + Formats.duration(run.duration()) + ")";
    }

    void print(PrintStream out) {
        out.println(key + ": " + state());
        if (record == null) {
            out.println("  no record: never ran, or failed (a failed run releases its key), or was forgotten, or"
                    + " its ttl ended");
            return;
        }
        if (!key.equals(storeKey) && !storeKey.equals(RunCommand.NAMESPACE + ":" + key)) {
            out.println("  store key:  " + storeKey);
        }
        if (commandLine() != null) {
            out.println("  command:    " + commandLine());
        }
        if (record.isInProgress()) {
            out.println("  since:      " + Formats.time(record.createdAt()));
            out.println("  lease ends: " + Formats.time(record.leaseExpiresAt())
                    + " (renewed while the command runs; if it is not, the run counts as dead then)");
            return;
        }
        if (run == null) {
            out.println("  unreadable: " + problem);
        } else {
            out.println("  exit code:  " + run.exitCode());
            out.println("  ran:        " + Formats.time(run.startedAt()) + " to " + Formats.time(run.endedAt()) + " ("
                    + Formats.duration(run.duration()) + ")");
            out.println("  on:         " + run.host() + " as " + run.user() + " in " + run.directory());
        }
        out.println("  remembered until " + Formats.time(record.expiresAt()));
        if (run != null && !run.output().isEmpty()) {
            out.println("  last "
                    + (run.output().size() == 1 ? "line" : run.output().size() + " lines") + " of output:");
            for (String line : run.output()) {
                out.println("    | " + line);
            }
        }
    }

    ObjectNode toJson(JsonMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("key", key);
        node.put("storeKey", storeKey);
        node.put("state", state());
        if (record == null) {
            return node;
        }
        node.put("commandLine", commandLine());
        putTime(node, "claimedAt", record.createdAt());
        putTime(node, "leaseExpiresAt", record.leaseExpiresAt());
        putTime(node, "expiresAt", record.expiresAt());
        if (run != null) {
            ArrayNode command = node.putArray("command");
            run.command().forEach(command::add);
            node.put("exitCode", run.exitCode());
            putTime(node, "startedAt", run.startedAt());
            putTime(node, "endedAt", run.endedAt());
            node.put("durationMillis", run.duration().toMillis());
            node.put("host", run.host());
            node.put("user", run.user());
            node.put("directory", run.directory());
            ArrayNode output = node.putArray("output");
            run.output().forEach(output::add);
        }
        if (problem != null) {
            node.put("problem", problem);
        }
        return node;
    }

    private static void putTime(ObjectNode node, String name, @Nullable Instant time) {
        if (time != null) {
            node.put(name, time.toString());
        }
    }
}
