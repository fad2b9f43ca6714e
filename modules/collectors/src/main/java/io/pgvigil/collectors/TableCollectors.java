package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The collectors stat_user_tables, statio_user_tables, statio_user_indexes, stat_statements, stat_bgwriter,
 * stat_checkpointer, and the column table they share: one view column becomes one family.
 */
final class TableCollectors {
    static final List<Collector> ALL = List.of(
            StatUserTablesCollector.COLLECTOR,
            StatioUserTablesCollector.COLLECTOR,
            StatioUserIndexesCollector.COLLECTOR,
            StatStatementsCollector.COLLECTOR,
            StatBgwriterCollector.COLLECTOR,
            StatCheckpointerCollector.COLLECTOR);

    private TableCollectors() {
    }

    /** The {@code stats_reset_total} column of the bgwriter and checkpointer views: whole Unix seconds, as upstream. */
    static final String STATS_RESET = "floor(extract(epoch FROM stats_reset))::float8 AS stats_reset_total";

    /**
     * One column of a statistics view and the family it feeds. The SQL names the column {@code name}, and the
     * family is {@code <prefix><name>}. {@code untilMajor} is the first major the column is gone from (0: never).
     */
    record Column(String name, Family.Type type, String help, int untilMajor) {
        static Column counter(String name, String help) {
            return new Column(name, Family.Type.COUNTER, help, 0);
        }

        static Column gauge(String name, String help) {
            return new Column(name, Family.Type.GAUGE, help, 0);
        }

        /** @return this column, present only before {@code major} */
        Column before(int major) {
            return new Column(name, type, help, major);
        }

        boolean appliesTo(int major) {
            return untilMajor == 0 || major < untilMajor;
        }
    }

    /** The columns of a collector that apply to one server, each with its family. */
    record Columns(List<Column> columns, List<Family> families) {

        /** Declares one family per column that applies to {@code major}. */
        static Columns declare(MetricSink out, String prefix, List<Column> all, int major, String... labelNames) {
            List<Column> columns = all.stream().filter(c -> c.appliesTo(major)).toList();
            List<Family> families = new ArrayList<>(columns.size());
            for (Column c : columns) {
                families.add(c.type() == Family.Type.GAUGE
                        ? out.gauge(prefix + c.name(), c.help(), labelNames)
                        : out.counter(prefix + c.name(), c.help(), labelNames));
            }
            return new Columns(columns, List.copyOf(families));
        }

        /** Adds one sample per column from the current row; a NULL value counts as 0, as upstream. */
        void addRow(Session.Row row, String... labelValues) throws SQLException {
            for (int i = 0; i < columns.size(); i++) {
                families.get(i).add(row.number(columns.get(i).name(), 0), labelValues);
            }
        }
    }
}
