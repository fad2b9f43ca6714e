/**
 * Targets and credentials: {@link io.pgvigil.dsn.ConnectionSpec} parses what Prometheus sends as
 * {@code target} (URL or libpq key=value), merges an {@link io.pgvigil.dsn.AuthModule} into it, translates
 * its libpq parameters into pgjdbc properties and renders it for logs with every secret masked;
 * {@link io.pgvigil.dsn.Redaction} scrubs passwords from arbitrary text. Knows neither HTTP nor JDBC.
 */
package io.pgvigil.dsn;
