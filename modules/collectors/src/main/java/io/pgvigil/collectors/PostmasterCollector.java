package io.pgvigil.collectors;

import java.sql.SQLException;

/** {@code postmaster}: when the server started, in Unix seconds. */
final class PostmasterCollector {
    static final Collector COLLECTOR = new Collector("postmaster", false, Collector.Scope.SERVER, PostmasterCollector::collect);

    private PostmasterCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT extract(epoch FROM pg_postmaster_start_time())::float8 AS started
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family started = out.gauge("pg_postmaster_start_time_seconds", "Time at which postmaster started");
        session.query(SQL, row -> started.add(row.number("started", 0)));
    }
}
