package io.pgvigil.collectors;

import java.util.List;

/**
 * The collectors stat_user_tables, statio_user_tables, statio_user_indexes, stat_statements, stat_bgwriter,
 * stat_checkpointer: statistics views read column by column ({@link Columns}: one view column becomes one family).
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
}
