package dev.idempotent.engine;

import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyListener.CallOutcome;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.ReactiveIdempotencyStore;
import dev.idempotent.store.ReactiveIdempotencyStoreAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.retry.Retry;

/**
 * The {@link IdempotencyEngine} for {@link Mono} and {@link Flux} results, deciding exactly as it does (read
 * first, claim, replay, key reuse, in flight, fail-open or fail-closed, store retries, lease renewal, outcomes
 * kept for the store in the background) without ever waiting on the subscribing thread:
 * <ul>
 * <li>nothing happens until the returned publisher is subscribed; each subscription is one call;</li>
 * <li>store steps are the {@link ReactiveIdempotencyStore}'s {@link Mono}s; a retry waits on a timer, and
 * {@code OnInFlight.WAIT} looks again on a timer (never {@code Thread.sleep});</li>
 * <li>a {@code Mono}'s value is stored when it completes, and reaches the subscriber once it is stored (so a
 * repeat made as soon as it arrives is a replay); a {@code Flux}'s elements reach the subscriber as they
 * come, are stored as a list when it completes (up to {@link IdempotencyEngine#maxElements()}; a longer one
 * is not stored and its key released), and its completion follows the store's;</li>
 * <li>an error releases the key (or is stored, for the exceptions the codec records); a cancelled call
 * releases it (in the background if it was cancelled while its claim was under way); an outcome, once known,
 * is stored even if the subscriber cancels meanwhile;</li>
 * <li>lease renewal and outcomes retried in the background run on the engine's own threads, with the
 * request's {@link IdempotencyRequest#store() blocking store}.</li>
 * </ul>
 */
public final class ReactiveIdempotencyEngine {

    private static final Log logger = LogFactory.getLog(ReactiveIdempotencyEngine.class);

    private final IdempotencyEngine engine;

    private final IdempotencyListener listener;

    /** @param engine the engine whose settings, listener, lease renewal and background retries are used */
    public ReactiveIdempotencyEngine(IdempotencyEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.listener = engine.listener();
    }

    /**
     * Runs the {@code Mono} of {@code invocation} at most once per key, on subscription.
     *
     * @param request the call; its {@link IdempotencyRequest#store()} is {@code store.blocking()}
     * @param store where the record lives
     * @param invocation makes the operation's {@code Mono} (called once, when the operation runs)
     * @return the result: this run's value, the stored one, or none (a skipped call, an empty {@code Mono});
     *     an error for key reuse, a key in flight, a store failure (fail-closed), or the operation's own
     */
    public Mono<IdempotentResult<Object>> execute(
            IdempotencyRequest request, ReactiveIdempotencyStore store, Supplier<? extends Mono<?>> invocation) {
        return Mono.defer(() -> decide(request, store)).flatMap(decision -> switch (decision.kind) {
            case RUN -> runOne(request, store, decision.ownerToken(), invocation);
            case REPLAY -> replay(request, decision.claimed());
            case SKIP -> Mono.just(new IdempotentResult<>(null, Outcome.SKIPPED));
            case UNPROTECTED ->
                mono(invocation)
                        .map(value -> new IdempotentResult<Object>(value, Outcome.UNPROTECTED))
                        .defaultIfEmpty(new IdempotentResult<>(null, Outcome.UNPROTECTED));
        });
    }

    /**
     * Runs the {@code Flux} of {@code invocation} at most once per key, on subscription; the codec of
     * {@code request} stores a {@code List} of its elements.
     *
     * @return this run's elements, the stored ones (fresh copies), or none (a skipped call)
     */
    public Flux<Object> executeMany(
            IdempotencyRequest request, ReactiveIdempotencyStore store, Supplier<? extends Publisher<?>> invocation) {
        return Mono.defer(() -> decide(request, store)).flatMapMany(decision -> switch (decision.kind) {
            case RUN -> runMany(request, store, decision.ownerToken(), invocation);
            case REPLAY ->
                replay(request, decision.claimed())
                        .flatMapMany(result ->
                                result.value() == null ? Flux.empty() : Flux.fromIterable((List<?>) result.value()));
            case SKIP -> Flux.empty();
            case UNPROTECTED -> flux(invocation);
        });
    }

    // ---- deciding: read first, claim, wait ----

    private enum Kind {
        RUN,
        REPLAY,
        SKIP,
        UNPROTECTED
    }

    /** What to do with a call; {@code token} and {@code record} are null only for {@link Kind#UNPROTECTED}. */
    private record Decision(
            Kind kind, @Nullable String token, @Nullable IdempotencyRecord record) {

        String ownerToken() {
            return Objects.requireNonNull(token, "only a claimed call has an owner token");
        }

        IdempotencyRecord claimed() {
            return Objects.requireNonNull(record, "only a claimed call has a record");
        }
    }

    private Mono<Decision> decide(IdempotencyRequest request, ReactiveIdempotencyStore store) {
        String token = engine.nextOwnerToken();
        Mono<Claim> first = store.claimIsARead()
                ? claim(request, store, token)
                : step(request, store, "find", () -> store.find(request.key()))
                        .map(Claim::existing)
                        .switchIfEmpty(Mono.defer(() -> claim(request, store, token)));
        return first.onErrorResume(e -> !IdempotencyEngine.isCallerError(e), e -> {
                    if (engine.onStoreFailure() == OnStoreFailure.FAIL_OPEN) {
                        engine.unprotected(request, e);
                        return Mono.empty();
                    }
                    listener.onCall(request.name(), CallOutcome.STORE_ERROR);
                    return Mono.error(IdempotencyEngine.unavailable(request, e));
                })
                .flatMap(claim -> settle(
                        request,
                        store,
                        token,
                        claim,
                        System.nanoTime() + request.waitTimeout().toNanos(),
                        10))
                .defaultIfEmpty(new Decision(Kind.UNPROTECTED, null, null));
    }

    /** What to do with {@code claim}: run, replay, or handle the key in flight as the request says. */
    private Mono<Decision> settle(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            Claim claim,
            long waitDeadline,
            long pollMillis) {
        if (claim.isAcquired()) {
            return Mono.just(new Decision(Kind.RUN, token, claim.record()));
        }
        try {
            engine.checkFingerprint(request, claim.record());
        } catch (RuntimeException e) {
            return Mono.error(e);
        }
        if (claim.outcome() == Claim.Outcome.COMPLETED) {
            return Mono.just(new Decision(Kind.REPLAY, token, claim.record()));
        }
        return switch (request.onInFlight()) {
            case REJECT -> Mono.error(engine.inFlight(request, claim.record(), null));
            case SKIP -> {
                engine.skipped(request, claim.record());
                yield Mono.just(new Decision(Kind.SKIP, token, claim.record()));
            }
            case WAIT -> waitFor(request, store, token, claim.record(), waitDeadline, pollMillis);
        };
    }

    /** Looks at the key again after a pause on a timer, until it is free or completed, or the wait times out. */
    private Mono<Decision> waitFor(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            IdempotencyRecord last,
            long deadline,
            long pollMillis) {
        long leftNanos = deadline - System.nanoTime();
        if (leftNanos <= 0) {
            return Mono.error(engine.inFlight(request, last, request.waitTimeout()));
        }
        long pause = Math.max(1, Math.min(pollMillis, leftNanos / 1_000_000));
        return Mono.delay(Duration.ofMillis(pause))
                .then(Mono.defer(() -> claim(request, store, token)))
                .onErrorMap(e -> !IdempotencyEngine.isCallerError(e), e -> {
                    listener.onCall(request.name(), CallOutcome.STORE_ERROR);
                    return IdempotencyEngine.unavailable(request, e);
                })
                .flatMap(claim -> settle(
                        request,
                        store,
                        token,
                        claim,
                        deadline,
                        Math.min(pollMillis * 2, IdempotencyEngine.MAX_POLL_MILLIS)));
    }

    /**
     * Claims the key, retrying transient failures; a claim that failed for good is read back within the retry
     * budget (it may have landed), and otherwise released in the background.
     */
    private Mono<Claim> claim(IdempotencyRequest request, ReactiveIdempotencyStore store, String token) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            AtomicBoolean answered = new AtomicBoolean();
            return step(
                            request,
                            store,
                            "claim",
                            () -> store.claim(request.key(), request.fingerprint(), token, request.lease()))
                    .switchIfEmpty(Mono.error(() -> IdempotencyEngine.noClaim(request)))
                    .map(claim -> IdempotencyEngine.ownClaim(claim, token))
                    .onErrorResume(StoreRetry::isTransient, failure -> {
                        Mono<Claim> readBack = !engine.mayReadBack(request, start)
                                ? Mono.empty()
                                : timed(request, store, "find", () -> store.find(request.key()))
                                        .mapNotNull(record -> IdempotencyEngine.ownClaim(request, token, record))
                                        .map(Claim::acquired)
                                        .onErrorResume(e -> {
                                            logger.debug(
                                                    "Could not read back the claim of key '" + request.key() + "'", e);
                                            return Mono.empty();
                                        });
                        return readBack.switchIfEmpty(Mono.defer(() -> {
                            engine.claimFailed(request, token);
                            return Mono.error(failure);
                        }));
                    })
                    .doOnEach(signal -> answered.set(true))
                    .doOnCancel(() -> {
                        // cancelled before the store answered: the claim may still land, so it is released
                        // in the background (fenced by the token: nothing else is touched)
                        if (!answered.get()) {
                            engine.claimFailed(request, token);
                        }
                    });
        });
    }

    // ---- running and storing ----

    private Mono<IdempotentResult<Object>> runOne(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            Supplier<? extends Mono<?>> invocation) {
        return Mono.defer(() -> {
            LeaseRenewer.Renewal renewal = engine.startRenewal(request, token);
            AtomicBoolean ended = new AtomicBoolean();
            return mono(invocation)
                    .map(value -> new IdempotentResult<Object>(value, Outcome.EXECUTED))
                    .defaultIfEmpty(new IdempotentResult<>(null, Outcome.EXECUTED))
                    .doOnCancel(() -> cancelled(request, store, token, renewal, ended))
                    .onErrorResume(failure -> failed(request, store, token, renewal, ended, failure))
                    .flatMap(result -> {
                        ended.set(true);
                        renewal.stop();
                        listener.onCall(request.name(), CallOutcome.EXECUTED);
                        return uncancellable(complete(request, store, token, result.value()))
                                .thenReturn(result);
                    });
        });
    }

    private Flux<Object> runMany(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            Supplier<? extends Publisher<?>> invocation) {
        return Flux.defer(() -> {
            LeaseRenewer.Renewal renewal = engine.startRenewal(request, token);
            AtomicBoolean ended = new AtomicBoolean();
            int limit = engine.maxElements();
            List<Object> elements = new ArrayList<>();
            AtomicBoolean overflowed = new AtomicBoolean();
            Flux<Object> run = flux(invocation)
                    .doOnNext(element -> {
                        if (elements.size() < limit) {
                            elements.add(element);
                        } else if (overflowed.compareAndSet(false, true)) {
                            elements.clear();
                        }
                    })
                    .doOnCancel(() -> cancelled(request, store, token, renewal, ended))
                    .onErrorResume(failure -> failed(request, store, token, renewal, ended, failure));
            Mono<Object> stored = Mono.defer(() -> {
                ended.set(true);
                renewal.stop();
                listener.onCall(request.name(), CallOutcome.EXECUTED);
                if (overflowed.get()) {
                    logger.warn(request.operation() + " with key '" + request.key() + "' gave more than " + limit
                            + " elements (idempotency.reactive.max-elements): they were passed on but not stored, and"
                            + " the key released, so a repeat runs it again");
                    return uncancellable(release(request, store, token, "its Flux proved too long to store"))
                            .then(Mono.<Object>empty());
                }
                return uncancellable(complete(request, store, token, List.copyOf(elements)))
                        .then(Mono.<Object>empty());
            });
            return run.concatWith(stored);
        });
    }

    /** The subscriber cancelled while the operation ran: the key is released, so a repeat runs again. */
    private void cancelled(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            LeaseRenewer.Renewal renewal,
            AtomicBoolean ended) {
        if (ended.compareAndSet(false, true)) {
            renewal.stop();
            listener.onCall(request.name(), CallOutcome.FAILED);
            release(request, store, token, request.operation() + " was cancelled")
                    .subscribe();
        }
    }

    /** The operation failed: its exception is stored if the codec records it, otherwise the key is released. */
    private <T> Mono<T> failed(
            IdempotencyRequest request,
            ReactiveIdempotencyStore store,
            String token,
            LeaseRenewer.Renewal renewal,
            AtomicBoolean ended,
            Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return Mono.error(failure);
        }
        renewal.stop();
        listener.onCall(request.name(), CallOutcome.FAILED);
        byte[] payload = engine.failurePayload(request, failure);
        Mono<Void> recorded = payload != null
                ? store(request, store, token, payload)
                : release(request, store, token, request.operation() + " failed");
        return uncancellable(recorded).then(Mono.error(failure));
    }

    private Mono<Void> complete(
            IdempotencyRequest request, ReactiveIdempotencyStore store, String token, @Nullable Object value) {
        byte[] payload = engine.valuePayload(request, value);
        if (payload == null) {
            return Mono.empty();
        }
        if (engine.isOversize(request, payload)) {
            return release(request, store, token, "its result proved too large to store");
        }
        return store(request, store, token, payload);
    }

    /**
     * Completes the record, retrying transient failures; a completion whose answer was lost is recognised by
     * reading the record back; one that failed for good is retried in the background. Never signals an error.
     */
    private Mono<Void> store(IdempotencyRequest request, ReactiveIdempotencyStore store, String token, byte[] payload) {
        return step(request, store, "complete", () -> store.complete(request.key(), token, payload, request.ttl()))
                .flatMap(completed -> completed
                        ? Mono.just(true)
                        : timed(request, store, "find", () -> store.find(request.key()))
                                .map(record -> record.isCompleted() && record.isOwnedBy(token))
                                .defaultIfEmpty(false))
                .doOnNext(stored -> {
                    if (!stored) {
                        IdempotencyEngine.warnClaimLost(request);
                    }
                })
                .onErrorResume(RuntimeException.class, e -> {
                    engine.storeFailed(request, token, payload, e);
                    return Mono.empty();
                })
                .then();
    }

    /** Releases the key so that a repeat runs again; in the background if the store does not answer. Never fails. */
    private Mono<Void> release(IdempotencyRequest request, ReactiveIdempotencyStore store, String token, String why) {
        return step(request, store, "release", () -> store.release(request.key(), token))
                .doOnNext(released -> {
                    if (!released) {
                        engine.releaseLost(request, why);
                    }
                })
                .onErrorResume(RuntimeException.class, e -> {
                    engine.releaseLater(request, token, why, e);
                    return Mono.empty();
                })
                .then();
    }

    @SuppressWarnings("unchecked")
    private static Mono<Object> mono(Supplier<? extends Mono<?>> invocation) {
        return Mono.defer(() -> (Mono<Object>) invocation.get());
    }

    @SuppressWarnings("unchecked")
    private static Flux<Object> flux(Supplier<? extends Publisher<?>> invocation) {
        return Flux.defer(() -> (Publisher<Object>) invocation.get());
    }

    /** Runs {@code step} to its end even if the subscriber cancels meanwhile: an outcome, once known, is kept. */
    private static Mono<Void> uncancellable(Mono<Void> step) {
        return Mono.fromFuture(step.toFuture(), true);
    }

    private Mono<IdempotentResult<Object>> replay(IdempotencyRequest request, IdempotencyRecord record) {
        try {
            return Mono.just(engine.replay(request, record));
        } catch (Throwable stored) {
            return Mono.error(stored);
        }
    }

    // ---- store steps ----

    /**
     * One store step, retried on a transient failure within the {@link StoreRetry} budget; the pauses between
     * attempts are timers.
     */
    private <T> Mono<T> step(
            IdempotencyRequest request, ReactiveIdempotencyStore store, String step, Supplier<Mono<T>> call) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            String name = storeName(store);
            return timed(request, store, step, call)
                    .retryWhen(Retry.from(failures -> failures.concatMap(signal -> {
                        Throwable failure = signal.failure();
                        Duration pause = StoreRetry.isTransient(failure)
                                ? engine.storeRetry()
                                        .nextDelay(
                                                request.lease(),
                                                Duration.ofNanos(System.nanoTime() - start),
                                                signal.totalRetries())
                                : null;
                        if (pause == null) {
                            return Mono.error(failure);
                        }
                        listener.onStoreRetry(name, step);
                        return pause.isZero() ? Mono.just(0L) : Mono.delay(pause);
                    })));
        });
    }

    /** One store operation, telling the listener how long it took. */
    private <T> Mono<T> timed(
            IdempotencyRequest request, ReactiveIdempotencyStore store, String operation, Supplier<Mono<T>> call) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<T> answer;
            try {
                answer = Objects.requireNonNull(call.get(), "the store answered null instead of a Mono");
            } catch (RuntimeException e) {
                answer = Mono.error(e);
            }
            return answer.doFinally(signal -> listener.onStoreOperation(
                    storeName(store), operation, System.nanoTime() - start, signal == SignalType.ON_COMPLETE));
        });
    }

    private static String storeName(ReactiveIdempotencyStore store) {
        return store instanceof ReactiveIdempotencyStoreAdapter adapter
                ? IdempotencyEngine.storeName(adapter.getDelegate())
                : IdempotencyEngine.storeName(store.getClass());
    }

    @Override
    public String toString() {
        return "ReactiveIdempotencyEngine[" + engine + "]";
    }
}
