package dev.idempotent.store;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The store SPI: a few atomic steps on one record per key. Implementations only perform these steps;
 * every decision (replay, key reuse, waiting, failure policy) is taken by the engine above them.
 *
 * <p>Every method is one atomic operation on the server (never check-then-act). A store that cannot
 * reach its backend throws {@link dev.idempotent.IdempotencyStoreUnavailableException}, and says whether the
 * failure is {@linkplain dev.idempotent.IdempotencyStoreUnavailableException#isTransient() transient} (a
 * broken or stale connection, a timeout, a deadlock, a server that is restarting). Implementations are
 * thread-safe and never run caller code while holding a lock.
 *
 * <h2>Every step is safe to repeat</h2>
 * The engine retries a step that failed transiently, including one whose first attempt reached the server
 * and only its answer was lost. Each step is fenced by the claim's owner token, a fresh unique value per
 * claim, so a repeat never changes anyone else's record:
 * <ul>
 * <li>{@link #claim}: a repeat finds the record its first attempt created, owned by the same token, and
 * answers it as an existing record; the engine recognises its own token and counts the key as acquired.
 * It never takes over a live record, so a repeat cannot steal another owner's claim.</li>
 * <li>{@link #complete}: a repeat after a completion that landed finds the record completed and answers
 * {@code false}; the engine then reads the record, finds it completed by its own token, and counts it as
 * stored. A stale owner whose lease was taken over cannot complete: the token differs.</li>
 * <li>{@link #release}: a repeat finds nothing of its own left and answers {@code false}; nothing else is
 * deleted, since only an in-progress record with the caller's token is.</li>
 * <li>{@link #renew}: extending a lease twice to now plus the lease is the same as once.</li>
 * </ul>
 *
 * <p>Every implementation passes the shared contract suite: {@code IdempotencyStoreContractTests} of the
 * {@code idempotent-test-support} module, which a store's test extends.
 */
public interface IdempotencyStore {

    /**
     * Claims {@code key} for {@code ownerToken} if it is free: absent, or its lease or ttl has ended.
     * Otherwise returns the live record that is there, unchanged.
     *
     * @param key the full key, at most {@link #maxKeyLength()} characters
     * @param fingerprint hash of what the caller is asked to do, kept with the record; {@code null} for none
     * @param ownerToken a fresh unique token that identifies this claim
     * @param lease how long the claim holds without renewal
     */
    Claim claim(String key, @Nullable String fingerprint, String ownerToken, Duration lease);

    /**
     * Marks the record completed with {@code payload}, remembered for {@code ttl}, if {@code ownerToken}
     * still owns it in progress.
     *
     * @return {@code false} if the claim was lost (taken over after its lease ended, or deleted)
     */
    boolean complete(String key, String ownerToken, byte[] payload, Duration ttl);

    /**
     * Deletes the record if {@code ownerToken} owns it in progress, so that a retry can run again.
     *
     * @return {@code false} if the caller no longer owned it
     */
    boolean release(String key, String ownerToken);

    /**
     * Extends the lease of the in-progress record owned by {@code ownerToken} to now plus {@code lease}.
     *
     * @return {@code false} if the claim was lost
     */
    boolean renew(String key, String ownerToken, Duration lease);

    /**
     * The live record for {@code key}, if any: for operators and tools, and for the engine to recognise its
     * own claim or completion after a step's answer was lost; never used to decide a claim.
     */
    Optional<IdempotencyRecord> find(String key);

    /**
     * Deletes the record for {@code key} whatever its state (for operators who need to unstick or redo
     * an operation).
     *
     * @return whether there was a record
     */
    boolean delete(String key);

    /**
     * Whether {@link #claim} of a live key is itself a read: one round trip that answers the live record
     * and writes nothing, costing about what {@link #find} costs. The engine then claims at once instead of
     * reading first, so a first run takes one round trip less and a replay none more. Default {@code false}:
     * the engine reads first, and claims only when no live record was found (a replay is then one read
     * and no write).
     */
    default boolean claimIsARead() {
        return false;
    }

    /**
     * Whether a step waits for I/O on the calling thread (a database or network round trip). Reactive callers
     * run the steps of such a store on Reactor's bounded elastic scheduler, never on an event-loop thread
     * ({@link ReactiveIdempotencyStore#of}); a store that answers from memory returns {@code false} and is
     * called in place. Default {@code true}.
     */
    default boolean blocksCallingThread() {
        return true;
    }

    /** The longest key this store accepts; longer keys are hashed by the engine, never truncated. */
    default int maxKeyLength() {
        return 255;
    }

    /**
     * Whether {@link #complete} joins the transaction that {@link #runInTransaction} opens, so that the
     * operation's own writes and its completed record commit or roll back together (exactly once on one
     * database). Default: no; the engine then completes after the operation, in the store's own step.
     */
    default boolean completesInTransaction() {
        return false;
    }

    /**
     * Runs {@code work} (the operation, then its completion) in one transaction of this store's database.
     * Called only when {@link #completesInTransaction()} is true; an exception rolls everything back.
     */
    default @Nullable Object runInTransaction(TransactionalWork work) throws Throwable {
        return work.run();
    }

    /** The operation and its completion, run by {@link #runInTransaction}. */
    @FunctionalInterface
    interface TransactionalWork {
        @Nullable
        Object run() throws Throwable;
    }
}
