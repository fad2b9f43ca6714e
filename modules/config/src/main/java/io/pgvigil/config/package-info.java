/**
 * The auth-module file ({@code --config.file}, default {@code postgres_exporter.yml}):
 * {@link io.pgvigil.config.ConfigLoader} reads and validates it into an
 * {@link io.pgvigil.config.AuthConfig}, reporting the outcome as a {@link io.pgvigil.config.LoadResult}.
 */
package io.pgvigil.config;
