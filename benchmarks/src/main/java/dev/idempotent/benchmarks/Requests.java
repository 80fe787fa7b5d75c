package dev.idempotent.benchmarks;

import dev.idempotent.IdempotentResult;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.LibraryJson;
import java.lang.reflect.Type;
import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/** What the engine benchmarks share: the mapper, codecs and requests built as the aspect builds them. */
final class Requests {

    /** The namespace of every benchmark key. */
    static final String NAME = "Bench.place";

    static final String OPERATION = "Bench.place(String)";

    /** Short, so that records a benchmark leaves in Redis disappear on their own. */
    static final Duration TTL = Duration.ofMinutes(10);

    static final Duration LEASE = Duration.ofMinutes(1);

    /** The mapper the starter uses. */
    static final JsonMapper MAPPER = LibraryJson.newMapper();

    private Requests() {}

    @SuppressWarnings("unchecked")
    static JsonResultCodec codec(Type resultType) {
        return JsonResultCodec.forType(MAPPER, resultType, new Class[0], OPERATION);
    }

    /** The fingerprint of a call with {@code argument}, computed once per benchmark, as the aspect would per call. */
    static String fingerprint(Object argument) {
        return new Fingerprints(MAPPER).of(new Object[] {argument}, OPERATION);
    }

    static IdempotencyRequest request(IdempotencyStore store, String key, String fingerprint, JsonResultCodec codec) {
        return IdempotencyRequest.builder(NAME, store)
                .key(key)
                .fingerprint(fingerprint)
                .ttl(TTL)
                .lease(LEASE)
                .codec(codec)
                .operation(OPERATION)
                .build();
    }

    /** Fails the trial early when a call did not take the path its benchmark is meant to measure. */
    static <T> IdempotentResult<T> expect(IdempotentResult.Outcome expected, IdempotentResult<T> result, String what) {
        if (result.outcome() != expected) {
            throw new IllegalStateException(what + " was " + result.outcome() + ", expected " + expected
                    + "; the benchmark would measure the wrong path");
        }
        return result;
    }
}
