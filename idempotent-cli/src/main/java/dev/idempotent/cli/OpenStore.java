package dev.idempotent.cli;

import dev.idempotent.store.ListableIdempotencyStore;

/** A store, checked and ready, and what to close when done. */
final class OpenStore implements AutoCloseable {

    private final ListableIdempotencyStore store;

    private final String description;

    private final Runnable check;

    private final Runnable close;

    OpenStore(ListableIdempotencyStore store, String description, Runnable check, Runnable close) {
        this.store = store;
        this.description = description;
        this.check = check;
        this.close = close;
    }

    ListableIdempotencyStore store() {
        return store;
    }

    String description() {
        return description;
    }

    void check() {
        check.run();
    }

    @Override
    public void close() {
        try {
            close.run();
        } catch (RuntimeException e) {
            // closing is best effort
        }
    }
}
