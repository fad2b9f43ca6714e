/** Runs SQL against PostgreSQL and turns the rows into immutable metric snapshots. Never knows HTTP. */
module io.pgvigil.collectors {
    requires transitive io.pgvigil.connect;
    requires transitive io.prometheus.metrics.model;
    exports io.pgvigil.collectors;
}
