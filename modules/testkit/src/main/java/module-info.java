/**
 * Test support: starts real PostgreSQL servers (several majors) for the test suite, also as root, and reads the metric
 * snapshots a scrape produced.
 */
module io.pgvigil.testkit {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    // Snapshots reads scrapes, and its signatures name the model's types.
    requires transitive io.prometheus.metrics.model;
    exports io.pgvigil.testkit;
}
