package dev.idempotent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code idempotent status KEY}: what is known about a key. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        headerHeading = "%n",
        header = "Show what is known about KEY: done, failed (remembered), running, or none.",
        synopsisHeading = "Usage: ",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:KEY has a record (done, failed or running)",
            "1:KEY has no record",
            "64:usage error",
            "69:the store is unreachable"
        })
final class StatusCommand implements Callable<Integer> {

    @Mixin
    StoreOption store;

    @Option(names = "--json", description = "Print JSON (state: done, failed, running or none) instead of text.")
    boolean json;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key given to 'idempotent run --key'.")
    String key;

    @Override
    public Integer call() {
        try (OpenStore open = store.open()) {
            RecordView view = RecordView.find(open.store(), key);
            if (json) {
                System.out.println(Json.pretty(view.toJson(Json.MAPPER)));
            } else {
                view.print(System.out);
            }
            return view.record() == null ? ExitCodes.NO_RECORD : ExitCodes.OK;
        }
    }
}
