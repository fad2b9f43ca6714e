package io.pgvigil.collectors;

/**
 * What upstream's legacy subsystem runs on a database besides its built-in maps: the user queries of
 * {@code --extend.query-path}. On the default data source's own database (the "master") every query runs; on a
 * database found by {@link AutoDiscovery} only those not marked {@code master: true}. Implementations write into
 * the sink of the whole answer, with the {@code server} label of {@link Session#server()}, so the same family from
 * several databases of a server is one family. Used by one thread per scrape.
 */
@FunctionalInterface
interface DatabaseQueries {
    /** Runs nothing: what a database found by auto-discovery gets without user queries. */
    DatabaseQueries NONE = (run, master, out) -> true;

    /**
     * Runs the queries on {@code run}'s session within its deadline.
     *
     * @param master whether the database is the default data source's own (or a probe's target)
     * @return false when a query failed (the answer then reports {@code pg_exporter_last_scrape_error 1})
     */
    boolean run(ScrapeRun run, boolean master, MetricSink out);
}
