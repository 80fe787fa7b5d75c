package dev.idempotent.web;

/**
 * The response must not be stored (see {@link IdempotencyKeyPolicy#whyNotStored}); thrown through the engine,
 * which releases the key, and caught by the filter, which sends the response anyway.
 */
final class ResponseNotStored extends RuntimeException {

    ResponseNotStored(String reason) {
        super(reason, null, false, false);
    }
}
