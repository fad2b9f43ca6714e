package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code buffercache_summary}: how the shared buffers are used, from the {@code pg_buffercache}
 * extension's summary function (PostgreSQL 16 and later). The extension must be installed in the
 * database the exporter connects to; without it the query fails and the collector reports failure.
 */
final class BuffercacheSummaryCollector {
    static final Collector COLLECTOR = new Collector("buffercache_summary", false, Collector.Scope.DATABASE, BuffercacheSummaryCollector::collect);

    private BuffercacheSummaryCollector() {
    }

    // No statement before 16: pg_buffercache_summary() first shipped with pg_buffercache 1.4 in PostgreSQL 16.
    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(16, """
                    SELECT buffers_used, buffers_unused, buffers_dirty, buffers_pinned, usagecount_avg
                      FROM pg_buffercache_summary()
                    """));

    private static final String PREFIX = "pg_buffercache_summary_";

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family used = out.gauge(PREFIX + "buffers_used", "Number of used shared buffers");
        Family unused = out.gauge(PREFIX + "buffers_unused", "Number of unused shared buffers");
        Family dirty = out.gauge(PREFIX + "buffers_dirty", "Number of dirty shared buffers");
        Family pinned = out.gauge(PREFIX + "buffers_pinned", "Number of pinned shared buffers");
        Family usage = out.gauge(PREFIX + "usagecount_avg", "Average usage count of used shared buffers");
        // Before 16 no statement applies: the families stay empty and are left out.
        session.query(SQL, row -> {
            used.add(row.number("buffers_used", 0));
            unused.add(row.number("buffers_unused", 0));
            dirty.add(row.number("buffers_dirty", 0));
            pinned.add(row.number("buffers_pinned", 0));
            usage.add(row.number("usagecount_avg", 0));
        });
    }
}
