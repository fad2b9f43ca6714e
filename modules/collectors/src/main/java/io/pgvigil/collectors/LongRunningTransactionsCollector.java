package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code long_running_transactions}: how many transactions are open right now, and the age of the
 * oldest. Despite the name there is no age threshold in upstream v0.20.1: every open transaction of a
 * session that is not idle counts, except autovacuum workers and the exporter's own session.
 */
final class LongRunningTransactionsCollector {
    static final Collector COLLECTOR = new Collector("long_running_transactions", false, Collector.Scope.SERVER, LongRunningTransactionsCollector::collect);

    private LongRunningTransactionsCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT count(*) AS transactions,
                   max(extract(epoch FROM clock_timestamp() - a.xact_start))::float8 AS oldest_seconds
              FROM pg_catalog.pg_stat_activity a
             WHERE a.xact_start IS NOT NULL
               AND a.state IS DISTINCT FROM 'idle'
               AND a.query NOT LIKE 'autovacuum:%'
               AND a.pid <> pg_backend_pid()
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        // Upstream builds this name literally, without a subsystem suffix.
        Family count = out.gauge("pg_long_running_transactions", "Current number of long running transactions");
        Family oldest = out.gauge("pg_long_running_transactions_oldest_timestamp_seconds",
                                  "The current maximum transaction age in seconds");
        session.query(SQL, row -> {
            count.add(row.number("transactions", 0));
            oldest.add(row.number("oldest_seconds", 0)); // NULL when nothing is open
        });
    }
}
