package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code statio_user_tables}: block reads and buffer hits of every user table of the <em>connected</em> database,
 * its indexes and its TOAST table ({@code pg_statio_user_tables}). Upstream spells the families {@code blocks}
 * where the view says {@code blks}.
 */
final class StatioUserTablesCollector {
    static final Collector COLLECTOR = new Collector("statio_user_tables", true, Collector.Scope.DATABASE, StatioUserTablesCollector::collect);

    private StatioUserTablesCollector() {
    }

    // Same statement on every major. A table without index or TOAST table has NULL there: 0 below.
    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT current_database() AS datname, schemaname, relname,
                   heap_blks_read  AS heap_blocks_read,
                   heap_blks_hit   AS heap_blocks_hit,
                   idx_blks_read   AS idx_blocks_read,
                   idx_blks_hit    AS idx_blocks_hit,
                   toast_blks_read AS toast_blocks_read,
                   toast_blks_hit  AS toast_blocks_hit,
                   tidx_blks_read  AS tidx_blocks_read,
                   tidx_blks_hit   AS tidx_blocks_hit
              FROM pg_catalog.pg_statio_user_tables
            """);

    private static final List<Column> COLUMNS = List.of(
            Column.counter("heap_blocks_read", "Number of disk blocks read from this table"),
            Column.counter("heap_blocks_hit", "Number of buffer hits in this table"),
            Column.counter("idx_blocks_read", "Number of disk blocks read from all indexes on this table"),
            Column.counter("idx_blocks_hit", "Number of buffer hits in all indexes on this table"),
            Column.counter("toast_blocks_read", "Number of disk blocks read from this table's TOAST table (if any)"),
            Column.counter("toast_blocks_hit", "Number of buffer hits in this table's TOAST table (if any)"),
            Column.counter("tidx_blocks_read", "Number of disk blocks read from this table's TOAST table indexes (if any)"),
            Column.counter("tidx_blocks_hit", "Number of buffer hits in this table's TOAST table indexes (if any)"));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Columns columns = Columns.declare(out, "pg_statio_user_tables_", COLUMNS, session.version(),
                                          "datname", "schemaname", "relname");
        session.query(SQL, row -> columns.addRow(row,
                row.textOr("datname", "unknown"), row.textOr("schemaname", "unknown"), row.textOr("relname", "unknown")));
    }
}
