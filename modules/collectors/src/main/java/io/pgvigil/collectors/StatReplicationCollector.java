package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code stat_replication}: one series per WAL sender in {@code pg_stat_replication}, with the replication slot it
 * streams through, if any. Unlike upstream v0.20.1, every series carries the sender's {@code pid}, so two senders
 * that share application name, address, state and (no) slot give two series instead of a duplicate that makes the
 * whole scrape fail (upstream fixed it the same way after the release).
 */
final class StatReplicationCollector {
    static final Collector COLLECTOR = new Collector("stat_replication", true, Collector.Scope.SERVER, StatReplicationCollector::collect);

    private StatReplicationCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.of(VersionedSql.since(10, """
            SELECT r.pid, r.application_name, r.client_addr::text AS client_addr, r.state, s.slot_name,
                   (here.lsn - '0/0'::pg_lsn)::float8 AS current_wal_lsn_bytes,
                   (here.lsn - r.replay_lsn)::float8 AS wal_lsn_diff
              FROM pg_catalog.pg_stat_replication r
              LEFT JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid
             CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                     ELSE pg_current_wal_lsn() END AS lsn) here
            """));

    private static final String[] LABELS = {"application_name", "client_addr", "state", "slot_name", "pid"};

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family currentLsn = out.gauge("pg_stat_replication_pg_current_wal_lsn_bytes", "WAL position in bytes", LABELS);
        Family lsnDiff = out.gauge("pg_stat_replication_pg_wal_lsn_diff", "Lag in bytes between master and slave", LABELS);
        session.query(SQL, row -> {
            String[] labels = {row.text("application_name"), row.text("client_addr"), row.text("state"),
                               row.text("slot_name"), row.text("pid")};
            if (!row.isNull("current_wal_lsn_bytes")) {
                currentLsn.add(row.number("current_wal_lsn_bytes"), labels);
            }
            if (!row.isNull("wal_lsn_diff")) {
                lsnDiff.add(row.number("wal_lsn_diff"), labels);
            }
        });
    }
}
