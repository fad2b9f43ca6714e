package io.pgvigil.collectors;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * {@code settings}: every numeric and boolean server parameter of {@code pg_settings} as a gauge,
 * time units converted to seconds and memory units to bytes.
 */
final class SettingsCollector {
    static final Collector COLLECTOR = new Collector("settings", true, Collector.Scope.CONFIGURATION, SettingsCollector::collect);

    private SettingsCollector() {
    }

    private static final System.Logger LOG = System.getLogger(SettingsCollector.class.getName());

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT name, setting, coalesce(unit, '') AS unit, vartype
              FROM pg_catalog.pg_settings
             WHERE vartype IN ('bool', 'integer', 'real')
               AND name NOT IN ('sync_commit_cancel_wait', 'google_dataplex.max_messages')
            """);

    /** Factor to seconds for time units. */
    private static final Map<String, Double> TIME_UNITS = Map.of(
            "ms", 0.001, "s", 1.0, "min", 60.0, "h", 3600.0, "d", 86400.0);

    /** Factor to bytes for memory units. */
    private static final Map<String, Double> MEMORY_UNITS = Map.ofEntries(
            Map.entry("B", 1.0), Map.entry("kB", 1024.0), Map.entry("MB", 1024.0 * 1024),
            Map.entry("GB", 1024.0 * 1024 * 1024), Map.entry("TB", 1024.0 * 1024 * 1024 * 1024),
            Map.entry("1kB", 1024.0), Map.entry("2kB", 2048.0), Map.entry("4kB", 4096.0),
            Map.entry("8kB", 8192.0), Map.entry("16kB", 16384.0), Map.entry("32kB", 32768.0),
            Map.entry("64kB", 65536.0), Map.entry("16MB", 16.0 * 1024 * 1024),
            Map.entry("32MB", 32.0 * 1024 * 1024), Map.entry("64MB", 64.0 * 1024 * 1024));

    private static void collect(Session session, MetricSink out) throws SQLException {
        session.query(SQL, row -> {
            String name = row.text("name");
            String unit = row.text("unit");
            String raw = row.text("setting");
            String metric = "pg_settings_" + name.replace('.', '_').replace('-', '_');
            String help = "Server Parameter: " + name;
            OptionalDouble value;
            if (row.text("vartype").equals("bool")) {
                value = OptionalDouble.of(raw.equals("on") ? 1 : 0);
            } else if (unit.isEmpty()) {
                value = parse(raw);
            } else if (TIME_UNITS.containsKey(unit)) {
                metric += "_seconds";
                help += " [Units converted to seconds.]";
                value = scaled(raw, TIME_UNITS.get(unit));
            } else if (MEMORY_UNITS.containsKey(unit)) {
                metric += "_bytes";
                help += " [Units converted to bytes.]";
                value = scaled(raw, MEMORY_UNITS.get(unit));
            } else {
                value = OptionalDouble.empty();
            }
            if (value.isEmpty()) {
                LOG.log(Level.WARNING, "Error normalising unit for setting", "setting", name, "unit", unit);
                return;
            }
            out.gauge(metric, help).add(value.getAsDouble());
        });
    }

    private static OptionalDouble scaled(String raw, double factor) {
        OptionalDouble v = parse(raw);
        // -1 means "disabled" for many settings and stays -1.
        if (v.isEmpty() || v.getAsDouble() == -1) {
            return v;
        }
        return OptionalDouble.of(v.getAsDouble() * factor);
    }

    private static OptionalDouble parse(String raw) {
        try {
            return OptionalDouble.of(Double.parseDouble(raw.trim()));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
