package io.pgvigil.collectors;

/**
 * {@code xlog_location}: upstream's {@code pg_xlog_location_bytes} gauge, which only exists for PostgreSQL before 10
 * (the {@code xlog} functions were renamed to {@code wal} in 10). pgvigil only talks to PostgreSQL 10 and newer, so this
 * collector never has anything to report: it succeeds and adds nothing. Upstream logs a warning on every scrape in
 * that case; pgvigil does not.
 */
final class XlogLocationCollector {
    static final Collector COLLECTOR = new Collector("xlog_location", false, Collector.Scope.SERVER, (session, out) -> {
        // Nothing applies to PostgreSQL 10 and newer, and ServerVersion refuses anything older.
    });

    private XlogLocationCollector() {
    }
}
