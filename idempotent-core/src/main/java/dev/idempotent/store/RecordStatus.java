package dev.idempotent.store;

/** The state of a stored {@link IdempotencyRecord}. */
public enum RecordStatus {

    /** Claimed by an owner that is running the operation; honoured until the lease ends. */
    IN_PROGRESS,

    /** The operation finished; the record holds its result until it expires. */
    COMPLETED
}
