/**
 * The {@code idempotent} command line: {@code idempotent run --key KEY -- COMMAND} runs a shell command
 * at most once per key (claims, replays, key reuse, in-flight runs, leases and fencing all decided by
 * {@link dev.idempotent.engine.IdempotencyEngine}), plus {@code status}, {@code forget} and {@code list}
 * for operators. Entry point: {@link dev.idempotent.cli.Main}. Everything else is package-private.
 */
@NullMarked
package dev.idempotent.cli;

import org.jspecify.annotations.NullMarked;
