/**
 * Writes metric snapshots (the Prometheus client's model) in the text exposition format 0.0.4, as UTF-8 bytes
 * and gzip-compressed. Knows only that model and the JDK: neither HTTP (Helidon) nor JDBC.
 */
module io.pgvigil.exposition {
    requires transitive io.prometheus.metrics.model;
    exports io.pgvigil.exposition;
}
