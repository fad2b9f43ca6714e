package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code stat_user_tables}: access, tuple and maintenance statistics and sizes of every user table of the
 * <em>connected</em> database ({@code pg_stat_user_tables}).
 */
final class StatUserTablesCollector {
    /** {@code pg_table_size()} and {@code pg_indexes_size()} wait for {@code ACCESS SHARE} on every user table. */
    static final Collector COLLECTOR = new Collector("stat_user_tables", true, Collector.Scope.DATABASE,
                                                     Collector.Locking.MAY_WAIT, StatUserTablesCollector::collect);

    private StatUserTablesCollector() {
    }

    // The same statement on every major. PostgreSQL 16 added last_seq_scan, last_idx_scan and
    // n_tup_newpage_upd, PostgreSQL 18 the total_*vacuum_time/total_*analyze_time columns; upstream
    // exports none of them. Timestamps become whole Unix seconds; never (NULL) becomes 0 below.
    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT current_database() AS datname, schemaname, relname,
                   seq_scan, seq_tup_read, idx_scan, idx_tup_fetch,
                   n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd,
                   n_live_tup, n_dead_tup, n_mod_since_analyze,
                   floor(extract(epoch FROM last_vacuum))::float8      AS last_vacuum,
                   floor(extract(epoch FROM last_autovacuum))::float8  AS last_autovacuum,
                   floor(extract(epoch FROM last_analyze))::float8     AS last_analyze,
                   floor(extract(epoch FROM last_autoanalyze))::float8 AS last_autoanalyze,
                   vacuum_count, autovacuum_count, analyze_count, autoanalyze_count,
                   pg_catalog.pg_indexes_size(relid) AS index_size_bytes,
                   pg_catalog.pg_table_size(relid)   AS table_size_bytes
              FROM pg_catalog.pg_stat_user_tables
            """);

    private static final List<Column> COLUMNS = List.of(
            Column.counter("seq_scan", "Number of sequential scans initiated on this table"),
            Column.counter("seq_tup_read", "Number of live rows fetched by sequential scans"),
            Column.counter("idx_scan", "Number of index scans initiated on this table"),
            Column.counter("idx_tup_fetch", "Number of live rows fetched by index scans"),
            Column.counter("n_tup_ins", "Number of rows inserted"),
            Column.counter("n_tup_upd", "Number of rows updated"),
            Column.counter("n_tup_del", "Number of rows deleted"),
            Column.counter("n_tup_hot_upd", "Number of rows HOT updated (i.e., with no separate index update required)"),
            Column.gauge("n_live_tup", "Estimated number of live rows"),
            Column.gauge("n_dead_tup", "Estimated number of dead rows"),
            Column.gauge("n_mod_since_analyze", "Estimated number of rows changed since last analyze"),
            Column.gauge("last_vacuum", "Last time at which this table was manually vacuumed (not counting VACUUM FULL)"),
            Column.gauge("last_autovacuum", "Last time at which this table was vacuumed by the autovacuum daemon"),
            Column.gauge("last_analyze", "Last time at which this table was manually analyzed"),
            Column.gauge("last_autoanalyze", "Last time at which this table was analyzed by the autovacuum daemon"),
            Column.counter("vacuum_count", "Number of times this table has been manually vacuumed (not counting VACUUM FULL)"),
            Column.counter("autovacuum_count", "Number of times this table has been vacuumed by the autovacuum daemon"),
            Column.counter("analyze_count", "Number of times this table has been manually analyzed"),
            Column.counter("autoanalyze_count", "Number of times this table has been analyzed by the autovacuum daemon"),
            Column.gauge("index_size_bytes", "Total disk space used by this index, in bytes"),
            Column.gauge("table_size_bytes", "Total disk space used by this table, in bytes"));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Columns columns = Columns.declare(out, "pg_stat_user_tables_", COLUMNS, session.version(),
                                          "datname", "schemaname", "relname");
        session.query(SQL, row -> columns.addRow(row,
                row.textOr("datname", "unknown"), row.textOr("schemaname", "unknown"), row.textOr("relname", "unknown")));
    }
}
