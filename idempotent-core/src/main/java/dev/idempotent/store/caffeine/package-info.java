/**
 * The embedded store on Caffeine: the default, for one JVM.
 */
package dev.idempotent.store.caffeine;
