package dev.idempotent.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a store keeps for one key.
 *
 * @param key the full key (namespace included)
 * @param status in progress or completed
 * @param fingerprint hash of what the first call was asked to do; another fingerprint under the same
 *     key is a key reuse
 * @param ownerToken the token of the call that claimed the key (fencing: only it may complete,
 *     release or renew)
 * @param createdAt when the key was claimed
 * @param leaseExpiresAt while in progress: when the claim counts as abandoned; {@code null} once
 *     completed
 * @param expiresAt when the record is forgotten: the lease end while in progress, the end of the ttl
 *     once completed
 * @param payload the stored result (an opaque, versioned encoding), {@code null} while in progress; read-only:
 *     a store may hand out the array it keeps (the embedded store does, so that a replay copies nothing),
 *     so nobody modifies it
 */
public record IdempotencyRecord(
        String key,
        RecordStatus status,
        @Nullable String fingerprint,
        String ownerToken,
        @Nullable Instant createdAt,
        @Nullable Instant leaseExpiresAt,
        Instant expiresAt,
        byte @Nullable [] payload) {

    public IdempotencyRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ownerToken, "ownerToken");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** A new claim: in progress, owned by {@code ownerToken}, until {@code leaseExpiresAt}. */
    public static IdempotencyRecord claimed(
            String key, @Nullable String fingerprint, String ownerToken, Instant now, Instant leaseExpiresAt) {
        return new IdempotencyRecord(
                key, RecordStatus.IN_PROGRESS, fingerprint, ownerToken, now, leaseExpiresAt, leaseExpiresAt, null);
    }

    /** This record completed with {@code payload}, remembered until {@code expiresAt}. */
    public IdempotencyRecord completed(byte[] payload, Instant expiresAt) {
        return new IdempotencyRecord(
                key, RecordStatus.COMPLETED, fingerprint, ownerToken, createdAt, null, expiresAt, payload);
    }

    /** This in-progress record with its lease extended to {@code leaseExpiresAt}. */
    public IdempotencyRecord renewed(Instant leaseExpiresAt) {
        return new IdempotencyRecord(
                key, status, fingerprint, ownerToken, createdAt, leaseExpiresAt, leaseExpiresAt, payload);
    }

    /** Whether the record no longer counts at {@code now}: its lease or its ttl has ended. */
    public boolean isExpired(Instant now) {
        return !expiresAt.isAfter(now);
    }

    public boolean isOwnedBy(String token) {
        return ownerToken.equals(token);
    }

    public boolean isInProgress() {
        return status == RecordStatus.IN_PROGRESS;
    }

    public boolean isCompleted() {
        return status == RecordStatus.COMPLETED;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof IdempotencyRecord r
                && key.equals(r.key)
                && status == r.status
                && Objects.equals(fingerprint, r.fingerprint)
                && ownerToken.equals(r.ownerToken)
                && Objects.equals(createdAt, r.createdAt)
                && Objects.equals(leaseExpiresAt, r.leaseExpiresAt)
                && expiresAt.equals(r.expiresAt)
                && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, status, fingerprint, ownerToken, expiresAt) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "IdempotencyRecord[key=" + key + ", status=" + status + ", fingerprint=" + fingerprint
                + ", createdAt=" + createdAt + ", leaseExpiresAt=" + leaseExpiresAt + ", expiresAt=" + expiresAt
                + ", payload=" + (payload == null ? "none" : payload.length + " bytes") + "]";
    }
}
