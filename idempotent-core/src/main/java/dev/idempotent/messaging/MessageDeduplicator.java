package dev.idempotent.messaging;

import dev.idempotent.OnInFlight;
import dev.idempotent.engine.IdempotencyEngine;
import dev.idempotent.engine.IdempotencyListener;
import dev.idempotent.engine.IdempotencyListener.CallOutcome;
import dev.idempotent.engine.IdempotencyRequest;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.ResultCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * What the deduplication of every listener does with one message, on either broker: run the listener through
 * the {@link IdempotencyEngine} once per message id (a duplicate in flight waits, then goes back to the
 * broker), or, for a message without an id, run it unprotected, count it and warn once per namespace.
 */
final class MessageDeduplicator {

    private final IdempotencyEngine engine;

    private final IdempotencyStore store;

    private final Fingerprints fingerprints;

    private final ResultCodec codec;

    private final IdempotencyDefaults defaults;

    private final IdempotencyListener listener;

    private final Log logger;

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param codec the codec of a {@code void} result
     * @param logger where the warning about messages without an id goes
     */
    MessageDeduplicator(
            IdempotencyEngine engine,
            IdempotencyStore store,
            Fingerprints fingerprints,
            ResultCodec codec,
            IdempotencyDefaults defaults,
            IdempotencyListener listener,
            Log logger) {
        this.engine = engine;
        this.store = store;
        this.fingerprints = fingerprints;
        this.codec = codec;
        this.defaults = defaults;
        this.listener = listener;
        this.logger = logger;
    }

    /**
     * Runs {@code listenerCall} for {@code message} once per {@code id} in namespace {@code name}, the message
     * fingerprinted by its payload.
     *
     * @param id the message's id; {@code null} or blank runs the listener unprotected
     * @param operation names the listener in messages
     * @param missingId the warning logged the first time a message of {@code name} has no id
     */
    void run(
            String name,
            @Nullable String id,
            Object message,
            String operation,
            Supplier<String> missingId,
            IdempotencyEngine.Invocation listenerCall)
            throws Throwable {
        if (id == null || id.isBlank()) {
            listener.onCall(name, CallOutcome.UNPROTECTED);
            if (warned.add(name)) {
                logger.warn(missingId.get());
            }
            listenerCall.proceed();
            return;
        }
        IdempotencyRequest request = IdempotencyRequest.builder(name, store)
                .key(id)
                .fingerprint(fingerprints.of(new Object[] {message}, operation))
                .durations(defaults)
                .onInFlight(OnInFlight.WAIT)
                .codec(codec)
                .operation(operation)
                .build();
        engine.execute(request, listenerCall);
    }
}
