package io.pgvigil.collectors;

import java.util.List;

/** The collectors replication, replication_slots, stat_replication, stat_wal_receiver, stat_archiver, wal, xlog_location. */
final class ReplicationCollectors {
    static final List<Collector> ALL = List.of(
            ReplicationCollector.COLLECTOR,
            ReplicationSlotsCollector.COLLECTOR,
            StatReplicationCollector.COLLECTOR,
            StatWalReceiverCollector.COLLECTOR,
            StatArchiverCollector.COLLECTOR,
            WalCollector.COLLECTOR,
            XlogLocationCollector.COLLECTOR);

    private ReplicationCollectors() {
    }
}
