/**
 * The embedded store on Caffeine: the default, for one JVM.
 */
@NullMarked
package dev.idempotent.store.caffeine;

import org.jspecify.annotations.NullMarked;
