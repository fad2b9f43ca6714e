package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code statio_user_indexes}: block reads and buffer hits of every index on a user table of the <em>connected</em>
 * database ({@code pg_statio_user_indexes}). Unlike the table collectors, upstream gives these no {@code datname}.
 */
final class StatioUserIndexesCollector {
    static final Collector COLLECTOR = new Collector("statio_user_indexes", false, Collector.Scope.DATABASE, StatioUserIndexesCollector::collect);

    private StatioUserIndexesCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT schemaname, relname, indexrelname,
                   idx_blks_read AS idx_blks_read_total,
                   idx_blks_hit  AS idx_blks_hit_total
              FROM pg_catalog.pg_statio_user_indexes
            """);

    private static final List<Column> COLUMNS = List.of(
            Column.counter("idx_blks_read_total", "Number of disk blocks read from this index"),
            Column.counter("idx_blks_hit_total", "Number of buffer hits in this index"));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Columns columns = Columns.declare(out, "pg_statio_user_indexes_", COLUMNS, session.version(),
                                          "schemaname", "relname", "indexrelname");
        session.query(SQL, row -> columns.addRow(row,
                row.textOr("schemaname", "unknown"), row.textOr("relname", "unknown"),
                row.textOr("indexrelname", "unknown")));
    }
}
