package dev.idempotent;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link IdempotencyTemplate#runEach} did with a batch: how many items ran, how many were already
 * done, how many were being done elsewhere, and which failed.
 *
 * <p>A batch whose items were all done before is a success: "0 executed, 800 skipped: all already done".
 *
 * @param executed items whose action ran in this batch
 * @param skipped items already done before (their key was completed): not run again
 * @param inFlight items being run elsewhere at the same time (their key was claimed by another caller)
 * @param failed items whose action threw, or whose key could not be used
 * @param failures the failed items with their exceptions, in order
 * @param stopped whether the batch stopped at the first failure before reaching every item
 */
public record BatchReport(
        int executed, int skipped, int inFlight, int failed, List<Failure> failures, boolean stopped) {

    public BatchReport {
        failures = List.copyOf(failures);
    }

    /** One failed item. */
    public record Failure(@Nullable Object item, @Nullable String key, Throwable error) {}

    /** Items looked at. */
    public int total() {
        return executed + skipped + inFlight + failed;
    }

    /** No item failed (items done before or in flight elsewhere are not failures). */
    public boolean isSuccess() {
        return failed == 0;
    }

    /**
     * A sentence for logs and command lines, e.g. {@code "3 executed, 797 skipped (already done)"},
     * {@code "0 executed, 800 skipped: all already done"} or
     * {@code "799 executed, 0 skipped (already done), 1 failed"}.
     */
    public String summary() {
        if (total() == 0) {
            return "nothing to do: no items";
        }
        if (skipped == total()) {
            return "0 executed, " + skipped + " skipped: all already done";
        }
        StringBuilder text = new StringBuilder()
                .append(executed)
                .append(" executed, ")
                .append(skipped)
                .append(" skipped (already done)");
        if (inFlight > 0) {
            text.append(", ").append(inFlight).append(" in flight elsewhere");
        }
        if (failed > 0) {
            text.append(", ").append(failed).append(" failed");
        }
        if (stopped) {
            text.append("; stopped at the first failure");
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
