package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Column}s of a collector that exist on one server, each with the family it feeds: one view column
 * becomes one family.
 *
 * @param columns  the columns that apply to the server
 * @param families their families, in the same order
 */
record Columns(List<Column> columns, List<Family> families) {

    /** Declares one family, {@code prefix + column name}, per column that applies to {@code version}. */
    static Columns declare(MetricSink out, String prefix, List<Column> all, ServerVersion version, String... labelNames) {
        List<Column> columns = all.stream().filter(c -> c.majors().contains(version)).toList();
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
