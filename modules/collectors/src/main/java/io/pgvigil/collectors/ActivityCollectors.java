package io.pgvigil.collectors;

import java.util.List;

/** The collectors stat_activity_autovacuum, long_running_transactions, process_idle, postmaster, roles, database_wraparound, buffercache_summary, stat_progress_vacuum. */
final class ActivityCollectors {
    static final List<Collector> ALL = List.of(
            StatActivityAutovacuumCollector.COLLECTOR,
            LongRunningTransactionsCollector.COLLECTOR,
            ProcessIdleCollector.COLLECTOR,
            PostmasterCollector.COLLECTOR,
            RolesCollector.COLLECTOR,
            DatabaseWraparoundCollector.COLLECTOR,
            BuffercacheSummaryCollector.COLLECTOR,
            StatProgressVacuumCollector.COLLECTOR);

    private ActivityCollectors() {
    }
}
