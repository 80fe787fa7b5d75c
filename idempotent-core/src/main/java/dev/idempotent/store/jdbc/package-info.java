/**
 * The JDBC store: {@link dev.idempotent.store.jdbc.JdbcIdempotencyStore}, records in one table of
 * PostgreSQL, MySQL, MariaDB or H2, shared by every node on the same database. Needs {@code spring-jdbc} (an
 * optional dependency of this module). The SQL of each database is one small statements class; the DDL
 * ships next to the classes as {@code schema-postgresql.sql}, {@code schema-mysql.sql} and
 * {@code schema-h2.sql} ({@link dev.idempotent.store.jdbc.JdbcSchemaScripts}).
 */
@NullMarked
package dev.idempotent.store.jdbc;

import org.jspecify.annotations.NullMarked;
