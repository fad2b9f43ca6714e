package io.pgvigil.collectors;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Options of upstream's "legacy" metrics: {@code pg_up}, {@code pg_exporter_*}, {@code pg_static} and the
 * built-in {@code pg_stat_database_conflicts_*} family, which still carry the {@code server} label.
 *
 * @param disableDefaultMetrics {@code --disable-default-metrics}: no {@code pg_static}, no
 *                              {@code pg_stat_database_conflicts_*}
 * @param constantLabels        {@code --constantLabels}: extra labels on the legacy families
 * @param metricPrefix          {@code --metric-prefix}: replaces the first {@code pg} of the
 *                              {@code pg_stat_database_conflicts} namespace
 */
public record LegacyOptions(boolean disableDefaultMetrics, Map<String, String> constantLabels, String metricPrefix) {
    public LegacyOptions {
        constantLabels = Collections.unmodifiableMap(new TreeMap<>(constantLabels));
        Objects.requireNonNull(metricPrefix, "metricPrefix");
        if (metricPrefix.isEmpty()) {
            throw new IllegalArgumentException("--metric-prefix must not be empty");
        }
        for (String name : constantLabels.keySet()) {
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.startsWith("__")) {
                throw new IllegalArgumentException("--constantLabels: invalid label name \"" + name + "\"");
            }
        }
    }

    /** @return upstream's defaults: default metrics on, no constant labels, prefix {@code pg} */
    public static LegacyOptions defaults() {
        return new LegacyOptions(false, Map.of(), "pg");
    }
}
