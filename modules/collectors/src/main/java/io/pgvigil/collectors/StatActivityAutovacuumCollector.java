package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code stat_activity_autovacuum}: when the transaction of each running autovacuum worker started, by
 * table. The table name is what follows the first dot of the worker's query text, as upstream takes it.
 */
final class StatActivityAutovacuumCollector {
    static final Collector COLLECTOR = new Collector("stat_activity_autovacuum", false, Collector.Scope.SERVER, StatActivityAutovacuumCollector::collect);

    private StatActivityAutovacuumCollector() {
    }

    // An autovacuum worker's query text reads "autovacuum: VACUUM [ANALYZE] schema.table[ (to prevent wraparound)]".
    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT split_part(a.query, '.', 2) AS relname,
                   extract(epoch FROM a.xact_start)::float8 AS started
              FROM pg_catalog.pg_stat_activity a
             WHERE a.query LIKE 'autovacuum:%'
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family started = out.gauge("pg_stat_activity_autovacuum_timestamp_seconds",
                                   "Start timestamp of the vacuum process in seconds", "relname");
        session.query(SQL, row -> {
            // A worker between two transactions has no xact_start: skip it (upstream v0.20.1 fails the collector).
            if (!row.isNull("started")) {
                started.add(row.number("started"), row.text("relname"));
            }
        });
    }
}
