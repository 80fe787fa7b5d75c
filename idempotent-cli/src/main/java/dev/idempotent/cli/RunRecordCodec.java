package dev.idempotent.cli;

import dev.idempotent.IdempotencyException;
import dev.idempotent.support.ResultCodec;
import dev.idempotent.support.StoredPayload;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores a {@link RunRecord} as the versioned JSON payload of the engine ({@link StoredPayload}). A failed
 * command is never encoded: its exception releases the key (with {@code --remember-failures} the run
 * returns its record instead of throwing, and it is stored like a success).
 */
final class RunRecordCodec implements ResultCodec {

    /** The type a run's payload names. */
    static final String TYPE = "idempotent-cli-run";

    private final JsonMapper mapper;

    RunRecordCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public byte[] encodeValue(@Nullable Object value) {
        if (!(value instanceof RunRecord run)) {
            throw new IllegalArgumentException("Only the record of a run is stored, not " + value);
        }
        return StoredPayload.ofValue(mapper, TYPE, run.toJson(mapper));
    }

    /** Always {@code null}: a failed or interrupted run releases its key. */
    @Override
    public byte @Nullable [] encodeFailure(Throwable failure) {
        return null;
    }

    @Override
    public RunRecord decode(byte[] payload) {
        StoredPayload stored = StoredPayload.read(mapper, payload);
        if (stored.isFailure()) {
            throw new IdempotencyException("The record is a stored " + stored.failureType() + ", not a run of the"
                    + " idempotent command line; was the key written by an application using the 'run' namespace?");
        }
        JsonNode tree = stored.tree();
        if (tree == null) {
            throw notARun("it holds no value", null);
        }
        try {
            return RunRecord.fromJson(tree);
        } catch (RuntimeException e) {
            throw notARun(e.getMessage(), e);
        }
    }

    private static IdempotencyException notARun(@Nullable String why, @Nullable Throwable cause) {
        return new IdempotencyException(
                "The record is not a run of the idempotent command line (" + why
                        + "); was the key written by an application using the 'run' namespace?",
                cause);
    }
}
