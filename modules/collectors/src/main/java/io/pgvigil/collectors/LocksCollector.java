package io.pgvigil.collectors;

import java.sql.SQLException;

/** {@code locks}: number of locks per database and lock mode, zero-filled for every pair. */
final class LocksCollector {
    static final Collector COLLECTOR = new Collector("locks", true, Collector.Scope.SERVER, LocksCollector::collect);

    private LocksCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT d.datname, m.mode, coalesce(held.n, 0) AS count
              FROM pg_catalog.pg_database d
             CROSS JOIN (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'),
                                ('shareupdateexclusivelock'), ('sharelock'), ('sharerowexclusivelock'),
                                ('exclusivelock'), ('accessexclusivelock'), ('sireadlock')) AS m(mode)
              LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS n
                           FROM pg_catalog.pg_locks
                          WHERE database IS NOT NULL
                          GROUP BY database, lower(mode)) held
                     ON held.database = d.oid AND held.mode = m.mode
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family count = out.gauge("pg_locks_count", "Number of locks", "datname", "mode");
        session.query(SQL,
                      row -> count.add(row.number("count", 0), row.text("datname"), row.text("mode")));
    }
}
