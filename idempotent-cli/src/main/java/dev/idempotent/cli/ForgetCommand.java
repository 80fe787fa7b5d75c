package dev.idempotent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code idempotent forget KEY}: deletes the record, so that the next run with KEY runs again. */
@Command(
        name = "forget",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        headerHeading = "%n",
        header = "Delete the record of KEY, so that the next run with KEY runs again (for operators).",
        synopsisHeading = "Usage: ",
        description = {"", "Forgetting a running KEY does not stop its command: a new run may then start beside it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:KEY has no record now (whether or not it had one)",
            "64:usage error",
            "69:the store is unreachable"
        })
final class ForgetCommand implements Callable<Integer> {

    @Mixin
    StoreOption store;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key given to 'idempotent run --key'.")
    String key;

    @Override
    public Integer call() {
        try (OpenStore open = store.open()) {
            RecordView before = RecordView.find(open.store(), key);
            boolean deleted = open.store().delete(before.storeKey());
            if (!deleted) {
                System.out.println("no record for " + key + "; nothing to forget");
            } else if (before.record() != null && before.record().isInProgress()) {
                System.out.println("forgot " + key + ", which was running since "
                        + Formats.time(before.record().createdAt()) + "; its command was not stopped, and a new run"
                        + " with this key will start beside it");
            } else {
                System.out.println("forgot " + key
                        + (before.run() == null ? "" : " (it " + RecordView.alreadyRan(before.run()) + ")")
                        + "; the next run with this key runs again");
            }
            return ExitCodes.OK;
        }
    }
}
