package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code wal}: number and total size of the WAL segment files in {@code pg_wal}. {@code pg_ls_waldir()} needs a
 * superuser, {@code pg_monitor} or an explicit grant; without it the collector fails (success 0).
 */
final class WalCollector {
    static final Collector COLLECTOR = new Collector("wal", true, Collector.Scope.SERVER, WalCollector::collect);

    private WalCollector() {
    }

    // Only files named like a segment (24 hex digits) count: no .history, .partial or .backup files.
    private static final VersionedSql SQL = VersionedSql.of(VersionedSql.since(10, """
            SELECT count(*) AS segments, sum(size) AS size_bytes
              FROM pg_catalog.pg_ls_waldir()
             WHERE name ~ '^[0-9A-F]{24}$'
            """));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family segments = out.gauge("pg_wal_segments", "Number of WAL segments");
        Family size = out.gauge("pg_wal_size_bytes", "Total size of WAL segments");
        session.query(SQL, row -> {
            segments.add(row.number("segments", 0));
            if (!row.isNull("size_bytes")) {
                size.add(row.number("size_bytes"));
            }
        });
    }
}
