/**
 * The store contract suite, published for the authors of an {@link dev.idempotent.store.IdempotencyStore}:
 * a store's test extends {@link dev.idempotent.test.IdempotencyStoreContractTests} and says how to make
 * the store on a real server.
 */
@NullMarked
package dev.idempotent.test;

import org.jspecify.annotations.NullMarked;
