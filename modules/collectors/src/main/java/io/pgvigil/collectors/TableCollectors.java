package io.pgvigil.collectors;

import java.util.List;

/** The collectors stat_user_tables, statio_user_tables, statio_user_indexes, stat_statements, stat_bgwriter, stat_checkpointer. */
final class TableCollectors {
    static final List<Collector> ALL = List.of();

    private TableCollectors() {
    }
}
