package io.pgvigil.collectors;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Upstream's last built-in legacy namespace: {@code pg_stat_database_conflicts_*} with the {@code server}
 * label (and {@code --constantLabels}), named with {@code --metric-prefix}. Columns it does not know, such as
 * PG 16's {@code confl_active_logicalslot}, come out untyped as upstream's generic mapping does; NULL is NaN.
 */
final class DatabaseConflicts {
    private static final String NAMESPACE = "pg_stat_database_conflicts";

    private static final Map<String, String> KNOWN = Map.of(
            "confl_tablespace", "Number of queries in this database that have been canceled due to dropped tablespaces",
            "confl_lock", "Number of queries in this database that have been canceled due to lock timeouts",
            "confl_snapshot", "Number of queries in this database that have been canceled due to old snapshots",
            "confl_bufferpin", "Number of queries in this database that have been canceled due to pinned buffers",
            "confl_deadlock", "Number of queries in this database that have been canceled due to deadlocks");

    private DatabaseConflicts() {
    }

    /** The namespace after {@code --metric-prefix}: the first {@code pg} is replaced. */
    static String namespace(String prefix) {
        return NAMESPACE.replaceFirst("pg", java.util.regex.Matcher.quoteReplacement(prefix));
    }

    /** What {@code --dumpmaps} prints: the built-in map, one column per line. */
    static String dump(String prefix) {
        StringBuilder sb = new StringBuilder(namespace(prefix)).append('\n');
        sb.append("\tdatid LABEL: OID of a database\n");
        sb.append("\tdatname LABEL: Name of this database\n");
        new java.util.TreeMap<>(KNOWN).forEach((column, help) -> sb.append('\t').append(column).append(" COUNTER: ").append(help).append('\n'));
        return sb.toString();
    }

    static void collect(Connection connection, String server, LegacyOptions options, MetricSink out) throws SQLException {
        String ns = namespace(options.metricPrefix());
        List<String> labelNames = new ArrayList<>(List.of("datid", "datname", "server"));
        labelNames.addAll(options.constantLabels().keySet());
        try (PreparedStatement st = connection.prepareStatement("SELECT * FROM pg_catalog." + NAMESPACE);
             ResultSet rs = st.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            List<Family> families = new ArrayList<>();
            List<Integer> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String column = md.getColumnName(i);
                if (column.equals("datid") || column.equals("datname") || !isNumeric(md.getColumnType(i))) {
                    continue;
                }
                String help = KNOWN.get(column);
                String[] labels = labelNames.toArray(String[]::new);
                families.add(help != null ? out.counter(ns + "_" + column, help, labels)
                                          : out.untyped(ns + "_" + column, "Unknown metric from " + NAMESPACE, labels));
                columns.add(i);
            }
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                values.add(nullToEmpty(rs.getString("datid")));
                values.add(nullToEmpty(rs.getString("datname")));
                values.add(server);
                values.addAll(options.constantLabels().values());
                String[] labelValues = values.toArray(String[]::new);
                for (int f = 0; f < families.size(); f++) {
                    double v = rs.getDouble(columns.get(f));
                    families.get(f).add(rs.wasNull() ? Double.NaN : v, labelValues);
                }
            }
        }
    }

    private static boolean isNumeric(int sqlType) {
        return switch (sqlType) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.NUMERIC, Types.DECIMAL, Types.DOUBLE, Types.REAL,
                 Types.FLOAT -> true;
            default -> false;
        };
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
