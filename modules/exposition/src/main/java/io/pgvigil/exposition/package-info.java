/**
 * The Prometheus text exposition format 0.0.4: {@link io.pgvigil.exposition.TextFormat} renders snapshots into a
 * {@link io.pgvigil.exposition.Page}, which is sent as it is or gzip-compressed.
 */
package io.pgvigil.exposition;
