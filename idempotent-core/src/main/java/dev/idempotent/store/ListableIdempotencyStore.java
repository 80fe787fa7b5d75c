package dev.idempotent.store;

import java.util.List;

/**
 * An optional capability of a store: listing its live records by key prefix, for operators and tools
 * (the command-line {@code idempotent list}). Never used to decide a claim.
 *
 * <p>A listing is not a snapshot: records claimed, completed or deleted while it runs may or may not
 * appear. Implemented by the JDBC and Redis stores.
 */
public interface ListableIdempotencyStore extends IdempotencyStore {

    /**
     * The live records (neither their lease nor their ttl has ended) whose full key starts with
     * {@code prefix}, in ascending key order, at most {@code limit} of them. The prefix matches
     * literally: no character is a wildcard.
     *
     * @param prefix the start of the keys, namespace included (e.g. {@code "run:deploy-"}); empty for all
     * @param limit the most records to return, at least 1
     * @throws dev.idempotent.IdempotencyStoreUnavailableException if the backend cannot be reached
     */
    List<IdempotencyRecord> list(String prefix, int limit);
}
