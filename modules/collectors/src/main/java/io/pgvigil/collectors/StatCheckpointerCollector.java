package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code stat_checkpointer}: the checkpointer's counters ({@code pg_stat_checkpointer}, PostgreSQL 17 and later).
 * On older servers it emits nothing and succeeds, as upstream does. PostgreSQL 18's {@code num_done} and
 * {@code slru_written} are not exported upstream, so not here either.
 */
final class StatCheckpointerCollector {
    static final Collector COLLECTOR = new Collector("stat_checkpointer", false, Collector.Scope.SERVER, StatCheckpointerCollector::collect);

    private StatCheckpointerCollector() {
    }

    // No statement before 17: the view does not exist there.
    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(17, """
                    SELECT num_timed           AS num_timed_total,
                           num_requested       AS num_requested_total,
                           restartpoints_timed AS restartpoints_timed_total,
                           restartpoints_req   AS restartpoints_req_total,
                           restartpoints_done  AS restartpoints_done_total,
                           write_time          AS write_time_total,
                           sync_time           AS sync_time_total,
                           buffers_written     AS buffers_written_total,
                           %s
                      FROM pg_catalog.pg_stat_checkpointer
                    """.formatted(TableCollectors.STATS_RESET)));

    private static final List<Column> COLUMNS = List.of(
            Column.counter("num_timed_total", "Number of scheduled checkpoints due to timeout"),
            Column.counter("num_requested_total", "Number of requested checkpoints that have been performed"),
            Column.counter("restartpoints_timed_total", "Number of scheduled restartpoints due to timeout or after a failed attempt to perform it"),
            Column.counter("restartpoints_req_total", "Number of requested restartpoints"),
            Column.counter("restartpoints_done_total", "Number of restartpoints that have been performed"),
            Column.counter("write_time_total", "Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are written to disk, in milliseconds"),
            Column.counter("sync_time_total", "Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are synchronized to disk, in milliseconds"),
            Column.counter("buffers_written_total", "Number of buffers written during checkpoints and restartpoints"),
            Column.counter("stats_reset_total", "Time at which these statistics were last reset"));

    private static void collect(Session session, MetricSink out) throws SQLException {
        // Before 17 no statement applies: the families stay empty and are left out.
        Columns columns = Columns.declare(out, "pg_stat_checkpointer_", COLUMNS, session.version());
        session.query(SQL, columns::addRow);
    }
}
