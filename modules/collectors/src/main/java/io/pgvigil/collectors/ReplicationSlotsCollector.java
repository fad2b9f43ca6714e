package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code replication_slots}: one group of series per row of {@code pg_replication_slots}. Positions are in bytes,
 * measured from the server's own WAL position: the last received one on a standby, the current one on a primary.
 * A value that is NULL (e.g. a slot that never reserved WAL) leaves its series out, as upstream does.
 */
final class ReplicationSlotsCollector {
    static final Collector COLLECTOR = new Collector("replication_slots", true, Collector.Scope.SERVER, ReplicationSlotsCollector::collect);

    private ReplicationSlotsCollector() {
    }

    private static final String COMMON_COLUMNS = """
            SELECT slot_name, slot_type, database, active::int AS active,
                   (here.lsn - restart_lsn)::float8 AS wal_lsn_diff,
                   (here.lsn - '0/0'::pg_lsn)::float8 AS current_wal_lsn,
                   (coalesce(confirmed_flush_lsn, '0/0'::pg_lsn) - '0/0'::pg_lsn)::float8 AS confirmed_flush_lsn""";

    private static final String FROM = """

              FROM pg_catalog.pg_replication_slots
             CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                     ELSE pg_current_wal_lsn() END AS lsn) here""";

    /** safe_wal_size and wal_status exist from PostgreSQL 13 on. */
    private static final Majors WAL_STATUS = Majors.since(13);

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, COMMON_COLUMNS + FROM),
            VersionedSql.since(WAL_STATUS.since(), COMMON_COLUMNS + ",\n       safe_wal_size, wal_status" + FROM));

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family active = out.gauge("pg_replication_slots_active", "Flag indicating if the slot is active",
                                  "slot_name", "database");
        Family lsnDiff = out.gauge("pg_replication_slots_pg_wal_lsn_diff", "Replication lag in bytes",
                                   "slot_name", "database");
        Family currentWal = out.gauge("pg_replication_slots_slot_current_wal_lsn", "current wal lsn value",
                                      "slot_name", "slot_type");
        Family confirmedFlush = out.gauge("pg_replication_slots_slot_confirmed_flush_lsn",
                                          "last lsn confirmed flushed to the replication slot", "slot_name", "slot_type");
        Family isActive = out.gauge("pg_replication_slots_slot_is_active", "whether the replication slot is active or not",
                                    "slot_name", "slot_type");
        Family safeWal = out.gauge("pg_replication_slots_safe_wal_size_bytes",
                                   "number of bytes that can be written to WAL such that this slot is not in danger of getting in state lost",
                                   "slot_name", "slot_type");
        Family walStatus = out.gauge("pg_replication_slots_wal_status", "availability of WAL files claimed by this slot",
                                     "slot_name", "slot_type", "wal_status");
        boolean hasWalStatus = WAL_STATUS.contains(session.version());
        session.query(SQL, row -> {
            // Two label conventions, as upstream: NULL is "" next to database, "unknown" next to slot_type.
            String slot = row.text("slot_name");
            String database = row.text("database");
            String slotLabel = row.textOr("slot_name", "unknown");
            String slotType = row.textOr("slot_type", "unknown");
            boolean activeKnown = !row.isNull("active");
            boolean isActiveNow = activeKnown && row.number("active", 0) == 1;
            if (activeKnown) {
                active.add(isActiveNow ? 1 : 0, slot, database);
                isActive.add(isActiveNow ? 1 : 0, slotLabel, slotType);
            }
            if (!row.isNull("wal_lsn_diff")) {
                lsnDiff.add(row.number("wal_lsn_diff"), slot, database);
            }
            if (!row.isNull("current_wal_lsn")) {
                currentWal.add(row.number("current_wal_lsn"), slotLabel, slotType);
            }
            if (isActiveNow) {
                confirmedFlush.add(row.number("confirmed_flush_lsn", 0), slotLabel, slotType);
            }
            if (hasWalStatus) {
                if (!row.isNull("safe_wal_size")) {
                    safeWal.add(row.number("safe_wal_size"), slotLabel, slotType);
                }
                if (!row.isNull("wal_status")) {
                    walStatus.add(1, slotLabel, slotType, row.text("wal_status"));
                }
            }
        });
    }
}
