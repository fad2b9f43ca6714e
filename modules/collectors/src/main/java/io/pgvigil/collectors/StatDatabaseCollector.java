package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/** {@code stat_database}: the cumulative per-database statistics of {@code pg_stat_database}. */
final class StatDatabaseCollector {
    static final Collector COLLECTOR = new Collector("stat_database", true, Collector.Scope.SERVER, StatDatabaseCollector::collect);

    private StatDatabaseCollector() {
    }

    // Timestamps become whole Unix seconds, as upstream; active_time (PostgreSQL 14 on) is in milliseconds.
    private static final String COMMON_COLUMNS = """
            datid, datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit,
                   tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts,
                   temp_files, temp_bytes, deadlocks, blk_read_time, blk_write_time,
                   floor(extract(epoch FROM stats_reset)::float8) AS stats_reset""";

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, "SELECT " + COMMON_COLUMNS + "\n  FROM pg_catalog.pg_stat_database"),
            VersionedSql.since(14, "SELECT " + COMMON_COLUMNS + ",\n       active_time / 1000.0 AS active_time_seconds_total"
                                   + "\n  FROM pg_catalog.pg_stat_database"));

    private static final List<Column> COLUMNS = List.of(
            Column.gauge("numbackends", "Number of backends currently connected to this database. This is the only column in this view that returns a value reflecting current state; all other columns return the accumulated values since the last reset."),
            Column.counter("xact_commit", "Number of transactions in this database that have been committed"),
            Column.counter("xact_rollback", "Number of transactions in this database that have been rolled back"),
            Column.counter("blks_read", "Number of disk blocks read in this database"),
            Column.counter("blks_hit", "Number of times disk blocks were found already in the buffer cache, so that a read was not necessary (this only includes hits in the PostgreSQL buffer cache, not the operating system's file system cache)"),
            Column.counter("tup_returned", "Number of rows returned by queries in this database"),
            Column.counter("tup_fetched", "Number of rows fetched by queries in this database"),
            Column.counter("tup_inserted", "Number of rows inserted by queries in this database"),
            Column.counter("tup_updated", "Number of rows updated by queries in this database"),
            Column.counter("tup_deleted", "Number of rows deleted by queries in this database"),
            Column.counter("conflicts", "Number of queries canceled due to conflicts with recovery in this database. (Conflicts occur only on standby servers; see pg_stat_database_conflicts for details.)"),
            Column.counter("temp_files", "Number of temporary files created by queries in this database. All temporary files are counted, regardless of why the temporary file was created (e.g., sorting or hashing), and regardless of the log_temp_files setting."),
            Column.counter("temp_bytes", "Total amount of data written to temporary files by queries in this database. All temporary files are counted, regardless of why the temporary file was created, and regardless of the log_temp_files setting."),
            Column.counter("deadlocks", "Number of deadlocks detected in this database"),
            Column.counter("blk_read_time", "Time spent reading data file blocks by backends in this database, in milliseconds"),
            Column.counter("blk_write_time", "Time spent writing data file blocks by backends in this database, in milliseconds"),
            Column.counter("stats_reset", "Time at which these statistics were last reset"),
            Column.counter("active_time_seconds_total", "Time spent executing SQL statements in this database, in seconds").since(14));

    /** The only column whose NULL (never reset) counts as 0; a NULL in any other leaves the row out. */
    private static final String STATS_RESET = "stats_reset";

    private static void collect(Session session, MetricSink out) throws SQLException {
        Columns columns = Columns.declare(out, "pg_stat_database_", COLUMNS, session.version(), "datid", "datname");
        session.query(SQL, row -> {
            // The shared-objects row (datid 0, datname NULL) and rows with missing values are skipped.
            if (row.isNull("datid") || row.isNull("datname")) {
                return;
            }
            for (Column c : columns.columns()) {
                if (!c.name().equals(STATS_RESET) && row.isNull(c.name())) {
                    return;
                }
            }
            columns.addRow(row, row.text("datid"), row.text("datname"));
        });
    }
}
