package dev.idempotent.benchmarks;

/** A store server the benchmarks need is not running, or refuses the connection. */
final class StoreNotReachableException extends RuntimeException {

    StoreNotReachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
