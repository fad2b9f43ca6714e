package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/** {@code stat_database}: the cumulative per-database statistics of {@code pg_stat_database}. */
final class StatDatabaseCollector {
    static final Collector COLLECTOR = new Collector("stat_database", true, Collector.Scope.SERVER, StatDatabaseCollector::collect);

    private StatDatabaseCollector() {
    }

    private static final String COMMON_COLUMNS = """
            datid, datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit,
                   tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts,
                   temp_files, temp_bytes, deadlocks, blk_read_time, blk_write_time,
                   extract(epoch FROM stats_reset)::float8 AS stats_reset""";

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, "SELECT " + COMMON_COLUMNS + "\n  FROM pg_catalog.pg_stat_database"),
            // active_time exists from PostgreSQL 14 on (milliseconds).
            VersionedSql.since(14, "SELECT " + COMMON_COLUMNS + ",\n       active_time\n  FROM pg_catalog.pg_stat_database"));

    /** How one column becomes one family. {@code divisor} converts units (ms to s). */
    private record Column(String column, String metric, Family.Type type, String help, double divisor, int sinceMajor) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("numbackends", "pg_stat_database_numbackends", Family.Type.GAUGE,
                       "Number of backends currently connected to this database. This is the only column in this view that returns a value reflecting current state; all other columns return the accumulated values since the last reset.", 1, 0),
            counter("xact_commit", "Number of transactions in this database that have been committed"),
            counter("xact_rollback", "Number of transactions in this database that have been rolled back"),
            counter("blks_read", "Number of disk blocks read in this database"),
            counter("blks_hit", "Number of times disk blocks were found already in the buffer cache, so that a read was not necessary (this only includes hits in the PostgreSQL buffer cache, not the operating system's file system cache)"),
            counter("tup_returned", "Number of rows returned by queries in this database"),
            counter("tup_fetched", "Number of rows fetched by queries in this database"),
            counter("tup_inserted", "Number of rows inserted by queries in this database"),
            counter("tup_updated", "Number of rows updated by queries in this database"),
            counter("tup_deleted", "Number of rows deleted by queries in this database"),
            counter("conflicts", "Number of queries canceled due to conflicts with recovery in this database. (Conflicts occur only on standby servers; see pg_stat_database_conflicts for details.)"),
            counter("temp_files", "Number of temporary files created by queries in this database. All temporary files are counted, regardless of why the temporary file was created (e.g., sorting or hashing), and regardless of the log_temp_files setting."),
            counter("temp_bytes", "Total amount of data written to temporary files by queries in this database. All temporary files are counted, regardless of why the temporary file was created, and regardless of the log_temp_files setting."),
            counter("deadlocks", "Number of deadlocks detected in this database"),
            counter("blk_read_time", "Time spent reading data file blocks by backends in this database, in milliseconds"),
            counter("blk_write_time", "Time spent writing data file blocks by backends in this database, in milliseconds"),
            counter("stats_reset", "Time at which these statistics were last reset"),
            new Column("active_time", "pg_stat_database_active_time_seconds_total", Family.Type.COUNTER,
                       "Time spent executing SQL statements in this database, in seconds", 1000, 14));

    private static Column counter(String column, String help) {
        return new Column(column, "pg_stat_database_" + column, Family.Type.COUNTER, help, 1, 0);
    }

    private static void collect(Session session, MetricSink out) throws SQLException {
        int major = session.version().major();
        List<Column> columns = COLUMNS.stream().filter(c -> major >= c.sinceMajor()).toList();
        Family[] families = new Family[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            families[i] = c.type() == Family.Type.GAUGE
                    ? out.gauge(c.metric(), c.help(), "datid", "datname")
                    : out.counter(c.metric(), c.help(), "datid", "datname");
        }
        session.query(SQL.forVersion(session.version()).orElseThrow(), row -> {
            // The shared-objects row (datid 0, datname NULL) and rows with missing values are skipped.
            if (row.isNull("datid") || row.isNull("datname")) {
                return;
            }
            double[] values = new double[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                if (c.column().equals("stats_reset")) {
                    values[i] = Math.floor(row.number("stats_reset", 0)); // whole seconds, as upstream
                } else if (row.isNull(c.column())) {
                    return;
                } else {
                    values[i] = row.number(c.column()) / c.divisor();
                }
            }
            String datid = row.text("datid");
            String datname = row.text("datname");
            for (int i = 0; i < families.length; i++) {
                families[i].add(values[i], datid, datname);
            }
        });
    }
}
