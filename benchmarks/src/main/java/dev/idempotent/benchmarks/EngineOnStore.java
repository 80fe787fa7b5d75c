package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.JsonResultCodec;
import java.util.Objects;

/**
 * What the store benchmarks share: an engine over one store, requests built as the aspect builds them, and
 * one completed key ({@link #HIT}) to replay. Built only after a first call ran and a second one replayed, so a
 * benchmark never measures a path it did not mean to.
 */
final class EngineOnStore implements AutoCloseable {

    /** The argument of the replayed call. */
    static final String HIT = "order-42";

    private final IdempotencyStore store;

    private final IdempotencyEngine engine = new IdempotencyEngine(OnStoreFailure.FAIL_CLOSED);

    private final JsonResultCodec codec = Requests.codec(Receipt.class);

    private final String fingerprint = Requests.fingerprint(HIT);

    private final IdempotencyRequest replayRequest;

    /** @param where names the store in the message when the first calls do not run and replay */
    EngineOnStore(IdempotencyStore store, String where) throws Throwable {
        this.store = store;
        this.replayRequest = Requests.request(store, "replayed", fingerprint, codec);
        Requests.expect(Outcome.EXECUTED, replay(), "the first call on " + where);
        Requests.expect(Outcome.REPLAYED, replay(), "a repeated call on " + where);
    }

    /** The completed key again: one read, then decode. */
    IdempotentResult<Object> replay() throws Throwable {
        return engine.execute(replayRequest, () -> Workload.receipt(HIT));
    }

    /** A new key: read, claim, run, encode, complete. */
    IdempotentResult<Object> firstRun(String key) throws Throwable {
        return engine.execute(Requests.request(store, key, fingerprint, codec), () -> Workload.receipt(key));
    }

    IdempotencyEngine engine() {
        return engine;
    }

    /** The store key of the replayed call. */
    String replayKey() {
        return replayRequest.key();
    }

    /** The stored result of the replayed call, as the store keeps it. */
    byte[] storedPayload() {
        return Objects.requireNonNull(store.find(replayKey()).orElseThrow().payload(), "payload");
    }

    @Override
    public void close() {
        engine.close();
    }
}
