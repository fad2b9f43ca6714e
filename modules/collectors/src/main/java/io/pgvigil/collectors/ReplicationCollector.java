package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code replication}: whether the server is a standby, and how far its replay is behind. Both lag values are 0 on a
 * primary; on a standby the lag is 0 while everything received has been replayed, otherwise the age of the last
 * replayed transaction, as upstream computes it.
 */
final class ReplicationCollector {
    static final Collector COLLECTOR = new Collector("replication", true, Collector.Scope.SERVER, ReplicationCollector::collect);

    private ReplicationCollector() {
    }

    // greatest() ignores a NULL argument, so a standby that has replayed no transaction yet gives 0, not NULL.
    private static final VersionedSql SQL = VersionedSql.of(VersionedSql.since(10, """
            SELECT CASE
                     WHEN NOT pg_is_in_recovery() THEN 0
                     WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                     ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))
                   END::float8 AS lag_seconds,
                   CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica,
                   greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::float8 AS last_replay_seconds
            """));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family lag = out.gauge("pg_replication_lag_seconds", "Replication lag behind master in seconds");
        Family isReplica = out.gauge("pg_replication_is_replica", "Indicates if the server is a replica");
        Family lastReplay = out.gauge("pg_replication_last_replay_seconds", "Age of last replay in seconds");
        session.query(SQL, row -> {
            lag.add(row.number("lag_seconds", 0));
            isReplica.add(row.number("is_replica", 0));
            lastReplay.add(row.number("last_replay_seconds", 0));
        });
    }
}
