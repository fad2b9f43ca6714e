package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code stat_bgwriter}: the background writer's counters ({@code pg_stat_bgwriter}). PostgreSQL 17 moved the
 * checkpoint columns to {@code pg_stat_checkpointer} (see {@link StatCheckpointerCollector}); from 17 on only the
 * four remaining families are emitted, as upstream does.
 */
final class StatBgwriterCollector {
    static final Collector COLLECTOR = new Collector("stat_bgwriter", true, Collector.Scope.SERVER, StatBgwriterCollector::collect);

    private StatBgwriterCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, """
                    SELECT checkpoints_timed     AS checkpoints_timed_total,
                           checkpoints_req       AS checkpoints_req_total,
                           checkpoint_write_time AS checkpoint_write_time_total,
                           checkpoint_sync_time  AS checkpoint_sync_time_total,
                           buffers_checkpoint    AS buffers_checkpoint_total,
                           buffers_clean         AS buffers_clean_total,
                           maxwritten_clean      AS maxwritten_clean_total,
                           buffers_backend       AS buffers_backend_total,
                           buffers_backend_fsync AS buffers_backend_fsync_total,
                           buffers_alloc         AS buffers_alloc_total,
                           %s
                      FROM pg_catalog.pg_stat_bgwriter
                    """.formatted(TableCollectors.STATS_RESET)),
            // 17: checkpoint columns moved to pg_stat_checkpointer, buffers_backend* to pg_stat_io.
            VersionedSql.since(17, """
                    SELECT buffers_clean         AS buffers_clean_total,
                           maxwritten_clean      AS maxwritten_clean_total,
                           buffers_alloc         AS buffers_alloc_total,
                           %s
                      FROM pg_catalog.pg_stat_bgwriter
                    """.formatted(TableCollectors.STATS_RESET)));

    private static final List<Column> COLUMNS = List.of(
            Column.counter("checkpoints_timed_total", "Number of scheduled checkpoints that have been performed").until(17),
            Column.counter("checkpoints_req_total", "Number of requested checkpoints that have been performed").until(17),
            Column.counter("checkpoint_write_time_total", "Total amount of time that has been spent in the portion of checkpoint processing where files are written to disk, in milliseconds").until(17),
            Column.counter("checkpoint_sync_time_total", "Total amount of time that has been spent in the portion of checkpoint processing where files are synchronized to disk, in milliseconds").until(17),
            Column.counter("buffers_checkpoint_total", "Number of buffers written during checkpoints").until(17),
            Column.counter("buffers_clean_total", "Number of buffers written by the background writer"),
            Column.counter("maxwritten_clean_total", "Number of times the background writer stopped a cleaning scan because it had written too many buffers"),
            Column.counter("buffers_backend_total", "Number of buffers written directly by a backend").until(17),
            Column.counter("buffers_backend_fsync_total", "Number of times a backend had to execute its own fsync call (normally the background writer handles those even when the backend does its own write)").until(17),
            Column.counter("buffers_alloc_total", "Number of buffers allocated"),
            Column.counter("stats_reset_total", "Time at which these statistics were last reset"));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Columns columns = Columns.declare(out, "pg_stat_bgwriter_", COLUMNS, session.version());
        session.query(SQL, columns::addRow);
    }
}
