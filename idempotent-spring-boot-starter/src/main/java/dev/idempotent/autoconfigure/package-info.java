/**
 * Spring Boot auto-configuration of the idempotency library ({@code idempotency.*} properties).
 */
@NullMarked
package dev.idempotent.autoconfigure;

import org.jspecify.annotations.NullMarked;
