package dev.idempotent.cli;

import dev.idempotent.store.IdempotencyRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;

/** {@code idempotent list [--prefix P]}: the keys the store remembers, in key order. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        headerHeading = "%n",
        header = "List the keys the store remembers (done, failed or running), in key order.",
        synopsisHeading = "Usage: ",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (possibly nothing)", "64:usage error", "69:the store is unreachable"})
final class ListCommand implements Callable<Integer> {

    @Mixin
    StoreOption store;

    @Option(
            names = "--prefix",
            paramLabel = "P",
            defaultValue = "",
            description = "Only keys starting with P (literally: no wildcards).")
    String prefix;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "At most N keys (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print a JSON array of the records, as 'status --json' does.")
    boolean json;

    @Override
    public Integer call() {
        if (limit <= 0) {
            throw new UsageException("--limit must be positive, was " + limit);
        }
        try (OpenStore open = store.open()) {
            RunRecordCodec codec = new RunRecordCodec(Json.MAPPER);
            List<IdempotencyRecord> records = open.store()
                    .list(RunCommand.NAMESPACE + ":" + prefix, limit == Integer.MAX_VALUE ? limit : limit + 1);
            boolean more = records.size() > limit;
            List<RecordView> views = new ArrayList<>();
            for (IdempotencyRecord record : records.subList(0, Math.min(limit, records.size()))) {
                views.add(RecordView.listed(record, codec));
            }
            if (json) {
                ArrayNode array = Json.MAPPER.createArrayNode();
                views.forEach(view -> array.add(view.toJson(Json.MAPPER)));
                System.out.println(Json.pretty(array));
            } else {
                printTable(views);
                if (more) {
                    System.err.println("(only the first " + limit + " keys; use --limit or --prefix for more)");
                }
            }
            return ExitCodes.OK;
        }
    }

    private static void printTable(List<RecordView> views) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KEY", "STATE", "EXIT", "STARTED", "DURATION", "HOST", "COMMAND"});
        for (RecordView view : views) {
            RunRecord run = view.run();
            rows.add(new String[] {
                view.key(),
                view.state(),
                run == null ? "-" : Integer.toString(run.exitCode()),
                Formats.time(
                        run != null
                                ? run.startedAt()
                                : Objects.requireNonNull(view.record(), "a listed key's record")
                                        .createdAt()),
                run == null ? "-" : Formats.duration(run.duration()),
                run == null || run.host() == null ? "-" : run.host(),
                view.commandLine() == null ? "-" : view.commandLine()
            });
        }
        int[] widths = new int[rows.get(0).length - 1];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < widths.length) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            System.out.println(line.toString().stripTrailing());
        }
    }
}
