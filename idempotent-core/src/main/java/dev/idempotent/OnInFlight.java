package dev.idempotent;

/** What a call does when another call with the same key has claimed it and is still running. */
public enum OnInFlight {

    /** Throw {@link IdempotencyInFlightException}, which says the key and when the lease ends. */
    REJECT,

    /**
     * Wait up to {@code waitTimeout} for the first run to finish, then return its result. If the first
     * run fails and releases the key, this call claims it and runs. If the wait times out,
     * {@link IdempotencyInFlightException} is thrown.
     */
    WAIT,

    /**
     * Return without running ({@code null}, or a completed future for asynchronous methods), logging one
     * line at INFO. Meant for {@code void} methods such as scheduled jobs.
     */
    SKIP
}
