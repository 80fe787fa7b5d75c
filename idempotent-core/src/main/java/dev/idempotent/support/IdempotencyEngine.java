package dev.idempotent.support;

import dev.idempotent.IdempotencyException;
import dev.idempotent.IdempotencyInFlightException;
import dev.idempotent.IdempotencyKeyReuseException;
import dev.idempotent.IdempotencyStoreUnavailableException;
import dev.idempotent.OnInFlight;
import dev.idempotent.OnStoreFailure;
import dev.idempotent.store.Claim;
import dev.idempotent.store.IdempotencyRecord;
import dev.idempotent.store.IdempotencyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The one place where idempotency is decided: claim the key, run once, store the outcome, replay it on a
 * repeat, reject key reuse, handle in-flight repeats and store failures. The aspect, the HTTP filter and
 * the programmatic API all go through it; stores only perform its atomic steps.
 */
public class IdempotencyEngine implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(IdempotencyEngine.class);

    private static final long MAX_POLL_MILLIS = 250;

    private final OnStoreFailure onStoreFailure;

    private final LeaseRenewer renewer = new LeaseRenewer();

    public IdempotencyEngine(OnStoreFailure onStoreFailure) {
        this.onStoreFailure = Objects.requireNonNull(onStoreFailure, "onStoreFailure");
    }

    /** The protected work. */
    @FunctionalInterface
    public interface Invocation {
        Object proceed() throws Throwable;
    }

    /** What the engine did with a call. */
    public enum Decision {
        /** This call claimed the key and ran the operation. */
        EXECUTED,
        /** The operation had completed before; its stored outcome was returned. */
        REPLAYED,
        /** Another call was running the operation; this one returned without running (SKIP). */
        SKIPPED,
        /** The store was unreachable and the policy is fail-open: the operation ran without protection. */
        UNPROTECTED
    }

    /** The value a call returns and how it was obtained. */
    public record Result(Object value, Decision decision) {
    }

    /**
     * Runs {@code invocation} at most once per key.
     *
     * @throws IdempotencyKeyReuseException the key was first used with another fingerprint
     * @throws IdempotencyInFlightException another call holds the key (REJECT, or WAIT timed out)
     * @throws IdempotencyStoreUnavailableException the store failed and the policy is fail-closed
     * @throws Throwable whatever the operation throws, or the stored exception on a replay
     */
    public Result execute(IdempotencyRequest request, Invocation invocation) throws Throwable {
        String token = UUID.randomUUID().toString();
        Claim claim;
        try {
            claim = request.store().claim(request.key(), request.fingerprint(), token, request.lease());
        } catch (RuntimeException e) {
            if (onStoreFailure == OnStoreFailure.FAIL_OPEN) {
                logger.warn("Idempotency store failed to claim key '" + request.key() + "' of " + request.operation()
                        + "; running it WITHOUT protection (on-store-failure=fail-open): " + e, e);
                return new Result(invocation.proceed(), Decision.UNPROTECTED);
            }
            throw unavailable(request, e);
        }
        if (claim.isAcquired()) {
            return new Result(run(request, token, invocation), Decision.EXECUTED);
        }
        checkFingerprint(request, claim.record());
        if (claim.outcome() == Claim.Outcome.COMPLETED) {
            return replay(request, claim.record());
        }
        return switch (request.onInFlight()) {
            case REJECT -> throw inFlight(request, claim.record(), null);
            case SKIP -> {
                logger.info("Skipped " + request.operation() + ": key '" + request.key()
                        + "' is being run by another caller (claimed at " + claim.record().createdAt() + ")");
                yield new Result(request.codec().skipped(), Decision.SKIPPED);
            }
            case WAIT -> waitForOutcome(request, token, invocation);
        };
    }

    private Object run(IdempotencyRequest request, String token, Invocation invocation) throws Throwable {
        LeaseRenewer.Renewal renewal = renewer.start(request.store(), request.key(), token, request.lease());
        Object result;
        try {
            result = invocation.proceed();
        } catch (Throwable failure) {
            renewal.stop();
            recordFailure(request, token, failure);
            throw failure;
        }
        CompletionStage<?> pending = request.codec().pending(result);
        if (pending == null) {
            renewal.stop();
            complete(request, token, result);
        } else {
            pending.whenComplete((value, failure) -> {
                renewal.stop();
                if (failure == null) {
                    complete(request, token, value);
                } else {
                    recordFailure(request, token, failure);
                }
            });
        }
        return result;
    }

    private void complete(IdempotencyRequest request, String token, Object value) {
        byte[] payload;
        try {
            payload = request.codec().encodeValue(value);
        } catch (RuntimeException e) {
            logger.error("The result of " + request.operation() + " (a " + (value == null ? "null" : value.getClass().getName())
                    + ") could not be serialized for key '" + request.key() + "'; the caller got it, the key stays in"
                    + " flight until its lease ends (" + request.lease() + ") and then the operation may run again", e);
            return;
        }
        store(request, token, payload);
    }

    private void recordFailure(IdempotencyRequest request, String token, Throwable failure) {
        byte[] payload;
        try {
            payload = request.codec().encodeFailure(failure);
        } catch (RuntimeException e) {
            logger.error("The exception of " + request.operation() + " could not be recorded for key '" + request.key()
                    + "'; releasing the key", e);
            payload = null;
        }
        if (payload != null) {
            store(request, token, payload);
            return;
        }
        try {
            if (!request.store().release(request.key(), token)) {
                logger.warn("Could not release idempotency key '" + request.key() + "' after " + request.operation()
                        + " failed: the claim was no longer ours (lease ended or key deleted)");
            }
        } catch (RuntimeException e) {
            logger.warn("Could not release idempotency key '" + request.key() + "' after " + request.operation()
                    + " failed; a retry is rejected as in flight until the lease ends (" + request.lease() + ")", e);
        }
    }

    private void store(IdempotencyRequest request, String token, byte[] payload) {
        try {
            if (!request.store().complete(request.key(), token, payload, request.ttl())) {
                logger.warn("The outcome of " + request.operation() + " for key '" + request.key() + "' was not stored:"
                        + " the claim was lost before it finished (its lease ended or the key was deleted), so"
                        + " another caller may have run it too. Use a longer lease.");
            }
        } catch (RuntimeException e) {
            logger.error("Could not store the outcome of " + request.operation() + " for key '" + request.key()
                    + "'; the caller got it, the key stays in flight until its lease ends (" + request.lease()
                    + ") and then the operation may run again", e);
        }
    }

    private Result replay(IdempotencyRequest request, IdempotencyRecord record) throws Throwable {
        if (logger.isDebugEnabled()) {
            logger.debug("Replaying the stored outcome of " + request.operation() + " for key '" + request.key()
                    + "' (completed, expires " + record.expiresAt() + ")");
        }
        return new Result(request.codec().decode(record.payload()), Decision.REPLAYED);
    }

    private Result waitForOutcome(IdempotencyRequest request, String token, Invocation invocation) throws Throwable {
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
                throw new IdempotencyException("Interrupted while waiting for key '" + request.key() + "' of "
                        + request.operation() + " to complete", e);
            }
            pollMillis = Math.min(pollMillis * 2, MAX_POLL_MILLIS);
            Claim claim;
            try {
                claim = request.store().claim(request.key(), request.fingerprint(), token, request.lease());
            } catch (RuntimeException e) {
                throw unavailable(request, e);
            }
            if (claim.isAcquired()) {
                return new Result(run(request, token, invocation), Decision.EXECUTED);
            }
            checkFingerprint(request, claim.record());
            if (claim.outcome() == Claim.Outcome.COMPLETED) {
                return replay(request, claim.record());
            }
            last = claim.record();
        }
    }

    private static void checkFingerprint(IdempotencyRequest request, IdempotencyRecord record) {
        if (!Objects.equals(request.fingerprint(), record.fingerprint())) {
            throw new IdempotencyKeyReuseException("Key '" + request.key() + "' of " + request.operation()
                    + " was first used with other arguments (a different request), so its result is not returned"
                    + " for this one; use a new key for a different request", request.key());
        }
    }

    private static IdempotencyInFlightException inFlight(IdempotencyRequest request, IdempotencyRecord record,
            Duration waited) {
        Instant leaseEnd = record == null ? null : record.leaseExpiresAt();
        String message = request.operation() + " with key '" + request.key() + "' is already running in another call"
                + (waited == null ? "" : ", still after waiting " + waited)
                + (leaseEnd == null ? "" : "; its lease ends at " + leaseEnd + " unless renewed")
                + (waited == null ? ". Retry later, or use onInFlight = WAIT" : ". Retry later, or wait longer");
        return new IdempotencyInFlightException(message, request.key(), leaseEnd);
    }

    private static IdempotencyStoreUnavailableException unavailable(IdempotencyRequest request, RuntimeException e) {
        if (e instanceof IdempotencyStoreUnavailableException unavailable) {
            return unavailable;
        }
        return new IdempotencyStoreUnavailableException("The idempotency store failed for key '" + request.key()
                + "' of " + request.operation() + ", so it did not run (on-store-failure=fail-closed): " + e, e);
    }

    /** Stops lease renewal; claims still held are released by their lease ending. */
    @Override
    public void close() {
        renewer.close();
    }
}
