package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code stat_activity}: connections per database, state, user, application, backend type and wait
 * event, zero-filled for every (database, state) pair. The exporter's own session is not counted.
 */
final class StatActivityCollector {
    static final Collector COLLECTOR = new Collector("stat_activity", true, Collector.Scope.SERVER, StatActivityCollector::collect);

    private StatActivityCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT d.datname, s.state,
                   a.usename, a.application_name, a.backend_type, a.wait_event_type, a.wait_event,
                   coalesce(a.n, 0) AS count,
                   coalesce(a.max_tx_duration, 0) AS max_tx_duration
              FROM (VALUES ('active'), ('idle'), ('idle in transaction'),
                           ('idle in transaction (aborted)'), ('fastpath function call'), ('disabled')) AS s(state)
             CROSS JOIN pg_catalog.pg_database d
              LEFT JOIN (SELECT datname, state, usename, application_name, backend_type,
                                wait_event_type, wait_event, count(*) AS n,
                                max(extract(epoch FROM now() - xact_start))::float8 AS max_tx_duration
                           FROM pg_catalog.pg_stat_activity
                          WHERE pid <> pg_backend_pid()
                          GROUP BY datname, state, usename, application_name, backend_type,
                                   wait_event_type, wait_event) a
                     ON a.datname = d.datname AND a.state = s.state
            """);

    private static final String[] LABELS = {
        "datname", "state", "usename", "application_name", "backend_type", "wait_event_type", "wait_event"};

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family count = out.gauge("pg_stat_activity_count", "number of connections in this state", LABELS);
        Family maxTx = out.gauge("pg_stat_activity_max_tx_duration",
                                 "max duration in seconds any active transaction has been running", LABELS);
        session.query(SQL, row -> {
            String[] labels = new String[LABELS.length];
            for (int i = 0; i < LABELS.length; i++) {
                labels[i] = row.text(LABELS[i]);
            }
            count.add(row.number("count", 0), labels);
            maxTx.add(row.number("max_tx_duration", 0), labels);
        });
    }
}
