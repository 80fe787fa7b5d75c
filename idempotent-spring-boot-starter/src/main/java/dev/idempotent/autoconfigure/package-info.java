/**
 * Spring Boot auto-configuration of the idempotency library ({@code idempotency.*} properties).
 */
package dev.idempotent.autoconfigure;
