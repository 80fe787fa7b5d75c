package dev.idempotent.engine;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyReplayException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.IdempotentResult;
import dev.idempotent.IdempotentResult.Outcome;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.engine.IdempotencyListener.CallOutcome;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import dev.idempotent.support.RateLimitedWarning;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The one place where idempotency is decided: claim the key, run once, store the outcome, replay it on a
 * repeat, reject key reuse, handle in-flight repeats and store failures. The aspect, the HTTP filter and
 * the programmatic API all go through it; stores only perform its atomic steps.
 *
 * <p>Store faults never turn one run into two while the store comes back in time:
 * <ul>
 * <li>every step that fails {@linkplain IdempotencyStoreUnavailableException#isTransient() transiently}
 * is retried ({@link #setStoreRetry(StoreRetry)}); each is fenced by the claim's owner token, so a retry
 * whose first attempt did land is recognised: a claim that finds its own token acquired the key, and a
 * completion that finds its own completed record stored it;</li>
 * <li>a completion that still cannot be stored is kept: the caller gets its result at once, the claim stays
 * alive (renewed) and the outcome is retried in the background until it is stored or
 * {@link #setCompletionRetryTimeout(Duration)} passes; meanwhile a repeat sees the key in flight;</li>
 * <li>a claim that failed for good is read back (it may have landed before the connection broke) and,
 * failing that, released in the background so that the key does not stay in flight until its lease ends.</li>
 * </ul>
 */
public class IdempotencyEngine implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(IdempotencyEngine.class);

    /** The longest pause between two looks at a key in flight ({@code OnInFlight.WAIT}); the first is 10 ms. */
    static final long MAX_POLL_MILLIS = 250;

    /** The largest payload stored by default; a larger result is returned but not stored. */
    public static final DataSize DEFAULT_MAX_PAYLOAD_SIZE = DataSize.ofMegabytes(1);

    private final OnStoreFailure onStoreFailure;

    private final IdempotencyListener listener;

    private final LeaseRenewer renewer;

    private final PendingOutcomes pending = new PendingOutcomes();

    private final OwnerTokens ownerTokens = new OwnerTokens();

    private volatile StoreRetry storeRetry = StoreRetry.STANDARD;

    private final RateLimitedWarning oversize = new RateLimitedWarning(logger);

    private volatile long maxPayloadSize = DEFAULT_MAX_PAYLOAD_SIZE.toBytes();

    /** The most elements of a {@code Flux} result stored by default. */
    public static final int DEFAULT_MAX_ELEMENTS = 1000;

    private volatile int maxElements = DEFAULT_MAX_ELEMENTS;

    public IdempotencyEngine(OnStoreFailure onStoreFailure) {
        this(onStoreFailure, IdempotencyListener.NONE);
    }

    public IdempotencyEngine(OnStoreFailure onStoreFailure, IdempotencyListener listener) {
        this.onStoreFailure = Objects.requireNonNull(onStoreFailure, "onStoreFailure");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.renewer = new LeaseRenewer(this);
    }

    /** How store steps that fail transiently are retried (default {@link StoreRetry#STANDARD}). */
    public void setStoreRetry(StoreRetry storeRetry) {
        this.storeRetry = Objects.requireNonNull(storeRetry, "storeRetry");
    }

    /**
     * How long an outcome that the store could not take is retried in the background, its claim kept alive,
     * before it is given up with an ERROR line (default 10 minutes; zero gives up at once).
     */
    public void setCompletionRetryTimeout(Duration timeout) {
        pending.setRetryTimeout(timeout);
    }

    /** How many outcomes may wait for the store at once (default 10,000); more are given up at once. */
    public void setMaxPendingCompletions(int maxPending) {
        pending.setMaxPending(maxPending);
    }

    /** How many outcomes (completions and releases) wait for the store to come back. */
    public int pendingCompletions() {
        return pending.size();
    }

    /**
     * The largest payload any store is asked to keep (default {@link #DEFAULT_MAX_PAYLOAD_SIZE}). A larger
     * result (or recorded exception) is returned to the caller but not stored: the key is released, so a
     * repeat runs the operation again, and a warning says so (at most once a minute, with a count).
     */
    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        if (maxPayloadSize == null || maxPayloadSize.toBytes() <= 0) {
            throw new IllegalArgumentException("max-payload-size must be positive, was " + maxPayloadSize);
        }
        this.maxPayloadSize = maxPayloadSize.toBytes();
    }

    /**
     * The most elements of a {@code Flux} result that are stored (default {@value #DEFAULT_MAX_ELEMENTS}); a
     * longer {@code Flux} reaches its subscriber whole, but is not stored: its key is released and a repeat
     * runs again.
     */
    public void setMaxElements(int maxElements) {
        if (maxElements <= 0) {
            throw new IllegalArgumentException("max-elements must be positive, was " + maxElements);
        }
        this.maxElements = maxElements;
    }

    /** The most elements of a {@code Flux} result that are stored. */
    public int maxElements() {
        return maxElements;
    }

    /** The protected work. */
    @FunctionalInterface
    public interface Invocation {
        @Nullable
        Object proceed() throws Throwable;
    }

    /**
     * Runs {@code invocation} at most once per key. The record is read first, so that a replay (or an
     * in-flight answer) costs one store read; the key is claimed only when no live record was found.
     *
     * @throws IdempotencyKeyReuseException the key was first used with another fingerprint
     * @throws IdempotencyInFlightException another call holds the key (REJECT, or WAIT timed out)
     * @throws IdempotencyStoreUnavailableException the store failed and the policy is fail-closed
     * @throws IdempotencyReplayException the stored result does not fit the operation's return type any more
     * @throws Throwable whatever the operation throws, or the stored exception on a replay
     */
    public IdempotentResult<Object> execute(IdempotencyRequest request, Invocation invocation) throws Throwable {
        String token = null;
        Claim claim;
        try {
            // read first: a replay or an in-flight answer costs one read and no write (unless the store's
            // claim is itself that read)
            IdempotencyRecord live = request.store().claimIsARead()
                    ? null
                    : step(
                                    request.store(),
                                    "find",
                                    request.lease(),
                                    () -> request.store().find(request.key()))
                            .orElse(null);
            if (live != null) {
                claim = Claim.existing(live);
            } else {
                token = ownerTokens.next();
                claim = claim(request, token);
            }
        } catch (RuntimeException e) {
            if (isCallerError(e)) {
                throw e;
            }
            if (onStoreFailure == OnStoreFailure.FAIL_OPEN) {
                unprotected(request, e);
                return new IdempotentResult<>(invocation.proceed(), Outcome.UNPROTECTED);
            }
            listener.onCall(request.name(), CallOutcome.STORE_ERROR);
            throw unavailable(request, e);
        }
        IdempotentResult<Object> settled = runOrReplay(request, token, invocation, claim);
        if (settled != null) {
            return settled;
        }
        return switch (request.onInFlight()) {
            case REJECT -> throw inFlight(request, claim.record(), null);
            case SKIP -> {
                skipped(request, claim.record());
                yield new IdempotentResult<>(request.codec().skipped(), Outcome.SKIPPED);
            }
            case WAIT -> waitForOutcome(request, token != null ? token : ownerTokens.next(), invocation);
        };
    }

    private @Nullable Object run(IdempotencyRequest request, String token, Invocation invocation) throws Throwable {
        IdempotencyStore store = request.store();
        LeaseRenewer.Renewal renewal = renewer.start(store, request.key(), token, request.lease());
        boolean inTransaction =
                store.completesInTransaction() && request.codec().mayCompleteInTransaction();
        Object result;
        try {
            result = inTransaction
                    ? store.runInTransaction(() -> proceedAndCompleteInTransaction(request, token, invocation, renewal))
                    : invocation.proceed();
        } catch (Throwable failure) {
            renewal.stop();
            listener.onCall(request.name(), CallOutcome.FAILED);
            recordFailure(request, token, failure);
            throw failure;
        }
        CompletionStage<?> pending = request.codec().pending(result);
        if (pending == null) {
            renewal.stop();
            listener.onCall(request.name(), CallOutcome.EXECUTED);
            if (!inTransaction) {
                complete(request, token, result);
            }
        } else {
            // the caller gets the stage that completes once the outcome is recorded, so a repeat made as
            // soon as it completes is a replay, never "in flight"
            result = pending.toCompletableFuture().whenComplete((value, failure) -> {
                renewal.stop();
                if (failure == null) {
                    listener.onCall(request.name(), CallOutcome.EXECUTED);
                    complete(request, token, value);
                } else {
                    listener.onCall(request.name(), CallOutcome.FAILED);
                    recordFailure(request, token, failure);
                }
            });
        }
        return result;
    }

    /**
     * Inside the store's transaction: run, then write the completed record in the same transaction. A
     * completion that fails or finds the claim lost throws, so the operation's writes roll back with it:
     * exactly once, never twice.
     */
    private @Nullable Object proceedAndCompleteInTransaction(
            IdempotencyRequest request, String token, Invocation invocation, LeaseRenewer.Renewal renewal)
            throws Throwable {
        Object result = invocation.proceed();
        if (request.codec().pending(result) != null) {
            return result;
        }
        // the completion locks the row until commit: renewing it now would only wait for the lock
        renewal.stop();
        byte[] payload = request.codec().encodeValue(result);
        if (isOversize(request, payload)) {
            releaseOversize(request, token);
            return result;
        }
        if (!timed(
                request.store(),
                "complete",
                () -> request.store().complete(request.key(), token, payload, request.ttl()))) {
            throw new IdempotencyException(
                    "The claim on key '" + request.key() + "' of " + request.operation()
                            + " was lost before its transaction committed (the lease ended or the key was deleted), so"
                            + " the transaction was rolled back rather than risk running the operation twice; use a longer lease");
        }
        return result;
    }

    private void complete(IdempotencyRequest request, String token, @Nullable Object value) {
        byte[] payload = valuePayload(request, value);
        if (payload == null) {
            return;
        }
        if (isOversize(request, payload)) {
            releaseOversize(request, token);
            return;
        }
        store(request, token, payload);
    }

    /**
     * The payload of a successful result, or {@code null} if it cannot be serialized (logged: the caller got
     * the result, the key stays in flight until its lease ends).
     */
    byte @Nullable [] valuePayload(IdempotencyRequest request, @Nullable Object value) {
        try {
            return request.codec().encodeValue(value);
        } catch (RuntimeException e) {
            logger.error(
                    "The result of " + request.operation() + " (a "
                            + (value == null ? "null" : value.getClass().getName())
                            + ") could not be serialized for key '" + request.key()
                            + "'; the caller got it, the key stays in"
                            + " flight until its lease ends (" + request.lease()
                            + ") and then the operation may run again",
                    e);
            return null;
        }
    }

    /** Whether {@code payload} is larger than the stores are asked to keep; warns (rate-limited) if so. */
    boolean isOversize(IdempotencyRequest request, byte[] payload) {
        if (payload.length <= maxPayloadSize) {
            return false;
        }
        oversize.warn(
                request.operation() + " with key '" + request.key() + "' (" + payload.length + " bytes)",
                (count, latest) -> count + " result(s) larger than idempotency.max-payload-size (" + maxPayloadSize
                        + " bytes) since the last such warning, latest " + latest + ": each was returned to its caller"
                        + " but not stored, and its key released, so a repeat runs the operation again. Return less,"
                        + " or raise idempotency.max-payload-size");
        return true;
    }

    private void releaseOversize(IdempotencyRequest request, String token) {
        release(request, token, "its result proved too large to store");
    }

    private void recordFailure(IdempotencyRequest request, String token, Throwable failure) {
        byte[] payload = failurePayload(request, failure);
        if (payload != null) {
            store(request, token, payload);
            return;
        }
        release(request, token, request.operation() + " failed");
    }

    /**
     * The payload that records {@code failure} for replay, or {@code null} when the key is to be released
     * instead (the exception is not among those stored, cannot be encoded, or is too large).
     */
    byte @Nullable [] failurePayload(IdempotencyRequest request, Throwable failure) {
        byte[] payload;
        try {
            payload = request.codec().encodeFailure(failure);
        } catch (RuntimeException e) {
            logger.error(
                    "The exception of " + request.operation() + " could not be recorded for key '" + request.key()
                            + "'; releasing the key",
                    e);
            return null;
        }
        return payload != null && isOversize(request, payload) ? null : payload;
    }

    /** Releases the key so that a repeat runs again; in the background if the store does not answer. */
    private void release(IdempotencyRequest request, String token, String why) {
        try {
            if (!step(
                    request.store(),
                    "release",
                    request.lease(),
                    () -> request.store().release(request.key(), token))) {
                releaseLost(request, why);
            }
        } catch (RuntimeException e) {
            releaseLater(request, token, why, e);
        }
    }

    /** A release found the claim no longer ours. */
    void releaseLost(IdempotencyRequest request, String why) {
        logger.info("Could not release idempotency key '" + request.key() + "' after " + why
                + ": the claim was no longer ours (lease ended or key deleted)");
    }

    /** A release failed: it is retried in the background (with {@link IdempotencyRequest#store()}). */
    void releaseLater(IdempotencyRequest request, String token, String why, RuntimeException e) {
        logger.warn("Could not release idempotency key '" + request.key() + "' after " + why
                + "; it is released in the background once the store answers, or when its lease ends ("
                + request.lease() + "): " + e);
        pending.add(new PendingRelease(request, token));
    }

    private void store(IdempotencyRequest request, String token, byte[] payload) {
        boolean stored;
        try {
            stored = storeOnce(request, token, payload, true);
        } catch (RuntimeException e) {
            storeFailed(request, token, payload, e);
            return;
        }
        if (!stored) {
            warnClaimLost(request);
        }
    }

    /**
     * A completion failed for good: a refusal by the store is logged (the key stays in flight until its
     * lease ends); anything else is retried in the background (with {@link IdempotencyRequest#store()}) while
     * the claim is kept alive.
     */
    void storeFailed(IdempotencyRequest request, String token, byte[] payload, RuntimeException e) {
        if (isCallerError(e)) {
            logger.error(
                    "The store refused the outcome of " + request.operation() + " for key '" + request.key()
                            + "'; the caller got it, the key stays in flight until its lease ends (" + request.lease()
                            + ") and then the operation may run again",
                    e);
            return;
        }
        logger.warn("Could not store the outcome of " + request.operation() + " for key '" + request.key()
                + "' yet; the caller got it, and it is stored in the background while its claim is kept alive"
                + " (for up to " + pending.retryTimeout() + "): " + e);
        pending.add(new PendingCompletion(
                request, token, payload, renewer.start(request.store(), request.key(), token, request.lease())));
    }

    /**
     * Completes the record, retrying transient failures; {@code false} if the claim was lost. A completion
     * whose first attempt landed although its answer was lost finds the record completed by its own token.
     */
    private boolean storeOnce(IdempotencyRequest request, String token, byte[] payload, boolean retry) {
        IdempotencyStore store = request.store();
        if (step(
                store,
                "complete",
                request.lease(),
                () -> store.complete(request.key(), token, payload, request.ttl()),
                retry)) {
            return true;
        }
        Optional<IdempotencyRecord> now = timed(store, "find", () -> store.find(request.key()));
        return now.isPresent() && now.get().isCompleted() && now.get().isOwnedBy(token);
    }

    static void warnClaimLost(IdempotencyRequest request) {
        logger.warn("The outcome of " + request.operation() + " for key '" + request.key() + "' was not stored:"
                + " the claim was lost before it finished (its lease ended or the key was deleted), so"
                + " another caller may have run it too. Use a longer lease.");
    }

    /** A completion waiting for the store, its claim kept alive by {@code renewal}. */
    private final class PendingCompletion implements PendingOutcomes.Outcome {

        private final IdempotencyRequest request;

        private final String token;

        private final byte[] payload;

        private final LeaseRenewer.Renewal renewal;

        private final long since = System.nanoTime();

        PendingCompletion(IdempotencyRequest request, String token, byte[] payload, LeaseRenewer.Renewal renewal) {
            this.request = request;
            this.token = token;
            this.payload = payload;
            this.renewal = renewal;
        }

        @Override
        public boolean attempt(boolean retry) {
            boolean stored;
            try {
                stored = storeOnce(request, token, payload, retry);
            } catch (RuntimeException e) {
                if (isCallerError(e)) {
                    abandon("the store refused it: " + e);
                    return true;
                }
                throw e;
            }
            renewal.stop();
            if (stored) {
                logger.info("Stored the outcome of " + request.operation() + " for key '" + request.key() + "' "
                        + Duration.ofNanos(System.nanoTime() - since).toMillis() + " ms after it ended, once the store"
                        + " answered again");
            } else {
                warnClaimLost(request);
            }
            return true;
        }

        @Override
        public void abandon(String why) {
            renewal.stop();
            listener.onCompletionAbandoned(request.name());
            logger.error("Gave up storing the outcome of " + request.operation() + " for key '" + request.key()
                    + "': " + why + ". The caller got it; the key is freed when its lease ends (" + request.lease()
                    + ") and then the operation may run again.");
        }
    }

    /** A release waiting for the store: frees the key before its lease ends. */
    private final class PendingRelease implements PendingOutcomes.Outcome {

        private final IdempotencyRequest request;

        private final String token;

        PendingRelease(IdempotencyRequest request, String token) {
            this.request = request;
            this.token = token;
        }

        @Override
        public boolean attempt(boolean retry) {
            step(
                    request.store(),
                    "release",
                    request.lease(),
                    () -> request.store().release(request.key(), token),
                    retry);
            return true;
        }

        @Override
        public void abandon(String why) {
            logger.warn("Could not release idempotency key '" + request.key() + "' of " + request.operation() + ": "
                    + why + "; it is freed when its lease ends (" + request.lease() + ")");
        }
    }

    IdempotentResult<Object> replay(IdempotencyRequest request, IdempotencyRecord record) throws Throwable {
        listener.onCall(request.name(), CallOutcome.REPLAYED);
        if (logger.isDebugEnabled()) {
            logger.debug("Replaying the stored outcome of " + request.operation() + " for key '" + request.key()
                    + "' (completed, expires " + record.expiresAt() + ")");
        }
        byte[] payload = record.payload();
        if (payload == null) {
            throw new IdempotencyException("The completed record of key '" + request.key() + "' of "
                    + request.operation() + " holds no result (was it written by another application?); delete the"
                    + " key to run the operation again");
        }
        try {
            return new IdempotentResult<>(request.codec().decode(payload), Outcome.REPLAYED);
        } catch (IdempotencyReplayException e) {
            throw new IdempotencyReplayException(
                    "Key '" + request.key() + "' of " + request.operation() + " " + e.getMessage(),
                    request.key(),
                    e.getStoredType(),
                    e.getExpectedType(),
                    e.getCause());
        }
    }

    private IdempotentResult<Object> waitForOutcome(IdempotencyRequest request, String token, Invocation invocation)
            throws Throwable {
        long deadline = System.nanoTime() + request.waitTimeout().toNanos();
        long pollMillis = 10;
        IdempotencyRecord last = null;
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) {
                throw inFlight(request, last, request.waitTimeout());
            }
            try {
                Thread.sleep(Math.max(1, Math.min(pollMillis, leftNanos / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IdempotencyException(
                        "Interrupted while waiting for key '" + request.key() + "' of " + request.operation()
                                + " to complete",
                        e);
            }
            pollMillis = Math.min(pollMillis * 2, MAX_POLL_MILLIS);
            Claim claim;
            try {
                claim = claim(request, token);
            } catch (RuntimeException e) {
                if (isCallerError(e)) {
                    throw e;
                }
                listener.onCall(request.name(), CallOutcome.STORE_ERROR);
                throw unavailable(request, e);
            }
            IdempotentResult<Object> settled = runOrReplay(request, token, invocation, claim);
            if (settled != null) {
                return settled;
            }
            last = claim.record();
        }
    }

    /** Runs the operation if the claim was acquired, replays it if completed; {@code null} while in flight. */
    private @Nullable IdempotentResult<Object> runOrReplay(
            IdempotencyRequest request, @Nullable String token, Invocation invocation, Claim claim) throws Throwable {
        if (claim.isAcquired()) {
            // only a claim of ours is acquired, and every claim of ours has its token
            return new IdempotentResult<>(
                    run(request, Objects.requireNonNull(token, "token"), invocation), Outcome.EXECUTED);
        }
        checkFingerprint(request, claim.record());
        if (claim.outcome() == Claim.Outcome.COMPLETED) {
            return replay(request, claim.record());
        }
        return null;
    }

    /**
     * A store that rejects the request itself (an invalid key, a bad argument) is not a store failure: it
     * must never make fail-open run the operation unprotected.
     */
    static boolean isCallerError(Throwable e) {
        return (e instanceof IdempotencyException && !(e instanceof IdempotencyStoreUnavailableException))
                || e instanceof IllegalArgumentException;
    }

    /**
     * Claims the key, retrying transient failures. A retried claim whose earlier attempt landed finds the
     * record owned by its own token: that is an acquired claim. A claim that fails for good is read back once
     * if the retry budget is not spent (it may have landed before its answer was lost), and otherwise
     * released in the background.
     */
    private Claim claim(IdempotencyRequest request, String token) {
        IdempotencyStore store = request.store();
        long start = System.nanoTime();
        Claim claim;
        try {
            claim = step(
                    store,
                    "claim",
                    request.lease(),
                    () -> store.claim(request.key(), request.fingerprint(), token, request.lease()));
        } catch (IdempotencyStoreUnavailableException e) {
            if (!e.isTransient()) {
                throw e;
            }
            IdempotencyRecord landed = null;
            if (mayReadBack(request, start)) {
                try {
                    landed = ownClaim(
                            request,
                            token,
                            timed(store, "find", () -> store.find(request.key()))
                                    .orElse(null));
                } catch (RuntimeException readFailure) {
                    logger.debug("Could not read back the claim of key '" + request.key() + "'", readFailure);
                }
            }
            if (landed != null) {
                return Claim.acquired(landed);
            }
            claimFailed(request, token);
            throw e;
        }
        if (claim == null) {
            throw noClaim(request);
        }
        return ownClaim(claim, token);
    }

    /** A claim answered with nothing: never taken for a claim. */
    static IdempotencyStoreUnavailableException noClaim(IdempotencyRequest request) {
        return new IdempotencyStoreUnavailableException(
                "The store " + request.store() + " answered nothing to a" + " claim of key '" + request.key()
                        + "'; an empty answer is never a claim",
                null);
    }

    /** {@code claim} as the engine counts it: an in-progress record of our own token (a retry that landed) is ours. */
    static Claim ownClaim(Claim claim, String token) {
        if (!claim.isAcquired()
                && claim.record().isInProgress()
                && claim.record().isOwnedBy(token)) {
            return Claim.acquired(claim.record());
        }
        return claim;
    }

    /**
     * Whether a claim that failed transiently, having started at {@code startNanos}, is read back: only within
     * the retry budget; past it, the release of {@link #claimFailed} frees a claim that landed.
     */
    boolean mayReadBack(IdempotencyRequest request, long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).compareTo(storeRetry.budget(request.lease())) < 0;
    }

    /** {@code record} if it is our failed claim, landed after all (in progress, our token); {@code null} otherwise. */
    static @Nullable IdempotencyRecord ownClaim(
            IdempotencyRequest request, String token, @Nullable IdempotencyRecord record) {
        if (record != null && record.isInProgress() && record.isOwnedBy(token)) {
            logger.info("The claim of key '" + request.key() + "' of " + request.operation() + " failed to answer"
                    + " but had landed: reading it back found it ours");
            return record;
        }
        return null;
    }

    /** A claim failed for good: whatever of it may have landed is released in the background. */
    void claimFailed(IdempotencyRequest request, String token) {
        pending.add(new PendingRelease(request, token));
    }

    // ---- what the reactive engine shares ----

    OnStoreFailure onStoreFailure() {
        return onStoreFailure;
    }

    IdempotencyListener listener() {
        return listener;
    }

    StoreRetry storeRetry() {
        return storeRetry;
    }

    String nextOwnerToken() {
        return ownerTokens.next();
    }

    /** Keeps the claim of {@code token} alive, renewing it with {@link IdempotencyRequest#store()}. */
    LeaseRenewer.Renewal startRenewal(IdempotencyRequest request, String token) {
        return renewer.start(request.store(), request.key(), token, request.lease());
    }

    /** Logs a store failure on the way in that fail-open answers by running the operation unprotected. */
    /** A call that runs without protection because the store failed (fail-open): counted as unprotected. */
    void unprotected(IdempotencyRequest request, Throwable e) {
        listener.onCall(request.name(), CallOutcome.UNPROTECTED);
        logger.warn(
                "Idempotency store failed to claim key '" + request.key() + "' of " + request.operation()
                        + "; running it WITHOUT protection (on-store-failure=fail-open): " + e,
                e);
    }

    /** Logs a skipped call ({@code OnInFlight.SKIP}). */
    void skipped(IdempotencyRequest request, IdempotencyRecord record) {
        listener.onCall(request.name(), CallOutcome.SKIPPED);
        logger.info("Skipped " + request.operation() + ": key '" + request.key()
                + "' is being run by another caller (claimed at " + record.createdAt() + ")");
    }

    /**
     * Runs one store step, retrying it on a transient failure within the {@link StoreRetry} budget; the
     * success path costs nothing more than the call.
     */
    <T> T step(IdempotencyStore store, String step, Duration lease, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return timed(store, step, call);
        } catch (IdempotencyStoreUnavailableException first) {
            RetryTemplate retries = first.isTransient()
                    ? storeRetry.template(lease, Duration.ofNanos(System.nanoTime() - start))
                    : null;
            if (retries == null) {
                throw first;
            }
            String storeName = storeName(store);
            try {
                return retries.execute(() -> {
                    listener.onStoreRetry(storeName, step);
                    return timed(store, step, call);
                });
            } catch (RetryException e) {
                Throwable last = e.getLastException() != null ? e.getLastException() : e.getCause();
                if (last instanceof RuntimeException runtime) {
                    if (runtime != first) {
                        runtime.addSuppressed(first);
                    }
                    throw runtime;
                }
                if (last instanceof Error error) {
                    throw error;
                }
                throw first;
            }
        }
    }

    /** {@link #step(IdempotencyStore, String, Duration, Supplier)}, or a single attempt when not {@code retry}. */
    private <T> T step(IdempotencyStore store, String step, Duration lease, Supplier<T> call, boolean retry) {
        return retry ? step(store, step, lease, call) : timed(store, step, call);
    }

    /** Runs one store operation, telling the listener how long it took. */
    <T> T timed(IdempotencyStore store, String operation, Supplier<T> call) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            T result = call.get();
            success = true;
            return result;
        } finally {
            listener.onStoreOperation(storeName(store), operation, System.nanoTime() - start, success);
        }
    }

    void checkFingerprint(IdempotencyRequest request, IdempotencyRecord record) {
        if (!Objects.equals(request.fingerprint(), record.fingerprint())) {
            listener.onCall(request.name(), CallOutcome.KEY_REUSE);
            throw new IdempotencyKeyReuseException(
                    "Key '" + request.key() + "' of " + request.operation()
                            + " was first used with other arguments (a different request), so its result is not returned"
                            + " for this one; use a new key for a different request",
                    request.key());
        }
    }

    IdempotencyInFlightException inFlight(
            IdempotencyRequest request, @Nullable IdempotencyRecord record, @Nullable Duration waited) {
        listener.onCall(request.name(), CallOutcome.IN_FLIGHT);
        Instant leaseEnd = record == null ? null : record.leaseExpiresAt();
        String message = request.operation() + " with key '" + request.key() + "' is already running in another call"
                + (waited == null ? "" : ", still after waiting " + waited)
                + (leaseEnd == null ? "" : "; its lease ends at " + leaseEnd + " unless renewed")
                + (waited == null ? ". Retry later, or use onInFlight = WAIT" : ". Retry later, or wait longer");
        logger.info(message);
        return new IdempotencyInFlightException(message, request.key(), leaseEnd);
    }

    static IdempotencyStoreUnavailableException unavailable(IdempotencyRequest request, Throwable e) {
        logger.warn("The idempotency store failed for key '" + request.key() + "' of " + request.operation()
                + "; the operation did not run (on-store-failure=fail-closed): " + e);
        if (e instanceof IdempotencyStoreUnavailableException unavailable) {
            return unavailable;
        }
        return new IdempotencyStoreUnavailableException(
                "The idempotency store failed for key '" + request.key() + "' of " + request.operation()
                        + ", so it did not run (on-store-failure=fail-closed): " + e,
                e);
    }

    /** The metrics tag of a store: {@code caffeine}, {@code redis}, {@code jdbc}, or its class name. */
    static String storeName(IdempotencyStore store) {
        return storeName(store.getClass());
    }

    /** The metrics tag of a store class ({@code ReactiveRedisIdempotencyStore} is {@code redis}, like the blocking one). */
    static String storeName(Class<?> type) {
        return STORE_NAMES.get(type);
    }

    /** Worked out once per store class: every store call is metered with it. */
    private static final ClassValue<String> STORE_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            String name = type.getSimpleName();
            if (name.endsWith("IdempotencyStore") && name.length() > "IdempotencyStore".length()) {
                name = name.substring(0, name.length() - "IdempotencyStore".length());
                if (name.startsWith("Reactive") && name.length() > "Reactive".length()) {
                    name = name.substring("Reactive".length());
                }
            }
            return name.toLowerCase(Locale.ROOT);
        }
    };

    /**
     * Tries once more to store the outcomes that wait for the store, then stops lease renewal; claims still
     * held are released by their lease ending.
     */
    @Override
    public void close() {
        pending.close();
        renewer.close();
    }
}
