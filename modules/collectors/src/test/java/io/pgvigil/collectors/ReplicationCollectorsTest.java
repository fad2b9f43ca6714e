package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots.Shape;
import io.pgvigil.testkit.WalStream;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.pgvigil.testkit.Snapshots.collectorShapes;
import static io.pgvigil.testkit.Snapshots.series;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replication collectors against a primary of every major with a streaming standby (the shared standby of that
 * major, streaming through a slot), the standby itself, and a second standby without a slot.
 */
class ReplicationCollectorsTest {
    private static final Set<String> COLLECTORS = Set.of("replication", "replication_slots", "stat_replication",
            "stat_wal_receiver", "stat_archiver", "wal", "xlog_location");
    private static final String IDLE_SLOT = "pgvigil_idle_slot";
    private static final double WAL_SEGMENT = 16 * 1024 * 1024;

    private static final List<String> NO_LABELS = List.of();
    private static final List<String> SLOT_DATABASE = List.of("database", "slot_name");
    private static final List<String> SLOT_TYPE = List.of("slot_name", "slot_type");
    private static final List<String> SENDER = List.of("application_name", "client_addr", "pid", "slot_name", "state");
    private static final List<String> RECEIVER = List.of("slot_name", "status", "upstream_host");

    private static MetricSnapshots scrape(MonitoredServer mon, Set<String> collectors) {
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("postgres"));
        return new Scraper(ConnectionSource.fresh(), collectors).scrape(spec);
    }

    private static void assertAllSucceeded(MetricSnapshots m, Set<String> collectors) {
        for (String c : collectors) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(1.0);
        }
    }

    private static String walSenderPid(PgServer primary, PgServer standby) throws SQLException {
        return primary.queryString("postgres", "SELECT pid::text FROM pg_stat_replication WHERE application_name = ?",
                           standby.standbyName().orElseThrow());
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void primaryWithAStandbyStreamingThroughASlot(String major) throws SQLException {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        PgServer standby = PgServer.sharedStandby(major);
        primary.execute("postgres", "SELECT pg_create_physical_replication_slot('" + IDLE_SLOT + "', true)"
                                    + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + IDLE_SLOT + "')");
        String slot = PgServer.SHARED_STANDBY_SLOT;
        String pid = walSenderPid(primary, standby);

        MetricSnapshots m = scrape(mon, COLLECTORS);

        assertAllSucceeded(m, COLLECTORS);
        Map<String, Shape> expected = new TreeMap<>();
        expected.put("pg_replication_lag_seconds", new Shape("gauge", NO_LABELS));
        expected.put("pg_replication_is_replica", new Shape("gauge", NO_LABELS));
        expected.put("pg_replication_last_replay_seconds", new Shape("gauge", NO_LABELS));
        expected.put("pg_replication_slots_active", new Shape("gauge", SLOT_DATABASE));
        expected.put("pg_replication_slots_pg_wal_lsn_diff", new Shape("gauge", SLOT_DATABASE));
        expected.put("pg_replication_slots_slot_current_wal_lsn", new Shape("gauge", SLOT_TYPE));
        expected.put("pg_replication_slots_slot_confirmed_flush_lsn", new Shape("gauge", SLOT_TYPE));
        expected.put("pg_replication_slots_slot_is_active", new Shape("gauge", SLOT_TYPE));
        // No pg_replication_slots_safe_wal_size_bytes: safe_wal_size is NULL with max_slot_wal_keep_size = -1 (default).
        expected.put("pg_replication_slots_wal_status", new Shape("gauge", List.of("slot_name", "slot_type", "wal_status")));
        expected.put("pg_stat_replication_pg_current_wal_lsn_bytes", new Shape("gauge", SENDER));
        expected.put("pg_stat_replication_pg_wal_lsn_diff", new Shape("gauge", SENDER));
        // Archiving never ran: no pg_stat_archiver_last_archive_age.
        expected.put("pg_stat_archiver_archived_count", new Shape("counter", NO_LABELS));
        expected.put("pg_stat_archiver_failed_count", new Shape("counter", NO_LABELS));
        expected.put("pg_wal_segments", new Shape("gauge", NO_LABELS));
        expected.put("pg_wal_size_bytes", new Shape("gauge", NO_LABELS));
        assertThat(collectorShapes(m)).isEqualTo(expected);

        assertThat(value(m, "pg_replication_is_replica")).contains(0.0);
        assertThat(value(m, "pg_replication_lag_seconds")).contains(0.0);
        assertThat(value(m, "pg_replication_last_replay_seconds")).contains(0.0);

        assertThat(value(m, "pg_replication_slots_active", "slot_name", slot, "database", "")).contains(1.0);
        assertThat(value(m, "pg_replication_slots_active", "slot_name", IDLE_SLOT, "database", "")).contains(0.0);
        assertThat(value(m, "pg_replication_slots_slot_is_active", "slot_name", slot, "slot_type", "physical")).contains(1.0);
        assertThat(value(m, "pg_replication_slots_slot_is_active", "slot_name", IDLE_SLOT, "slot_type", "physical")).contains(0.0);
        // Only an active slot has a confirmed flush position; a physical slot has none, so 0.
        assertThat(value(m, "pg_replication_slots_slot_confirmed_flush_lsn", "slot_name", slot, "slot_type", "physical")).contains(0.0);
        assertThat(value(m, "pg_replication_slots_slot_confirmed_flush_lsn", "slot_name", IDLE_SLOT, "slot_type", "physical")).isEmpty();
        assertThat(value(m, "pg_replication_slots_wal_status", "slot_name", slot, "slot_type", "physical", "wal_status", "reserved"))
                .contains(1.0);
        double current = value(m, "pg_replication_slots_slot_current_wal_lsn", "slot_name", slot, "slot_type", "physical").orElseThrow();
        assertThat(current).isPositive();
        assertThat(value(m, "pg_replication_slots_slot_current_wal_lsn", "slot_name", IDLE_SLOT, "slot_type", "physical")).contains(current);
        assertThat(value(m, "pg_replication_slots_pg_wal_lsn_diff", "slot_name", IDLE_SLOT, "database", ""))
                .hasValueSatisfying(v -> assertThat(v).isBetween(0.0, current));

        String[] sender = {"application_name", standby.standbyName().orElseThrow(), "client_addr", "127.0.0.1/32",
                           "state", "streaming", "slot_name", slot, "pid", pid};
        // stat_replication runs after replication_slots, and WAL only moves forward.
        assertThat(value(m, "pg_stat_replication_pg_current_wal_lsn_bytes", sender))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(current));
        assertThat(value(m, "pg_stat_replication_pg_wal_lsn_diff", sender))
                .hasValueSatisfying(v -> assertThat(v).isBetween(0.0, current));

        assertThat(value(m, "pg_stat_archiver_archived_count")).contains(0.0);
        assertThat(value(m, "pg_stat_archiver_failed_count")).contains(0.0);

        double segments = value(m, "pg_wal_segments").orElseThrow();
        assertThat(segments).isGreaterThanOrEqualTo(1);
        assertThat(value(m, "pg_wal_size_bytes")).contains(segments * WAL_SEGMENT);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void standbyStreamingThroughASlot(String major) throws SQLException {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        PgServer standby = PgServer.sharedStandby(major);
        standby.awaitCaughtUp(); // the monitoring role reaches the standby
        long now = System.currentTimeMillis() / 1000;

        MetricSnapshots m = scrape(mon.on(standby), COLLECTORS);

        assertAllSucceeded(m, COLLECTORS);
        Map<String, Shape> expected = new TreeMap<>();
        expected.put("pg_replication_lag_seconds", new Shape("gauge", NO_LABELS));
        expected.put("pg_replication_is_replica", new Shape("gauge", NO_LABELS));
        expected.put("pg_replication_last_replay_seconds", new Shape("gauge", NO_LABELS));
        for (String counter : List.of("receive_start_lsn", "flushed_lsn", "last_msg_send_time", "last_msg_receipt_time",
                                      "latest_end_lsn", "latest_end_time")) {
            expected.put("pg_stat_wal_receiver_" + counter, new Shape("counter", RECEIVER));
        }
        expected.put("pg_stat_wal_receiver_receive_start_tli", new Shape("gauge", RECEIVER));
        expected.put("pg_stat_wal_receiver_received_tli", new Shape("gauge", RECEIVER));
        // No upstream_node: the slot is not a repmgr_slot_<n>.
        expected.put("pg_stat_archiver_archived_count", new Shape("counter", NO_LABELS));
        expected.put("pg_stat_archiver_failed_count", new Shape("counter", NO_LABELS));
        expected.put("pg_wal_segments", new Shape("gauge", NO_LABELS));
        expected.put("pg_wal_size_bytes", new Shape("gauge", NO_LABELS));
        assertThat(collectorShapes(m)).isEqualTo(expected);

        assertThat(value(m, "pg_replication_is_replica")).contains(1.0);
        assertThat(value(m, "pg_replication_lag_seconds")).hasValueSatisfying(v -> assertThat(v).isNotNegative());
        assertThat(value(m, "pg_replication_last_replay_seconds")).hasValueSatisfying(v -> assertThat(v).isNotNegative());

        String[] receiver = {"upstream_host", "127.0.0.1", "slot_name", PgServer.SHARED_STANDBY_SLOT, "status", "streaming"};
        assertThat(value(m, "pg_stat_wal_receiver_receive_start_tli", receiver)).contains(1.0);
        assertThat(value(m, "pg_stat_wal_receiver_received_tli", receiver)).contains(1.0);
        double start = value(m, "pg_stat_wal_receiver_receive_start_lsn", receiver).orElseThrow();
        assertThat(start).isPositive();
        assertThat(value(m, "pg_stat_wal_receiver_flushed_lsn", receiver))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(start).isLessThan(Math.pow(2, 52)));
        assertThat(value(m, "pg_stat_wal_receiver_latest_end_lsn", receiver))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(start));
        for (String time : List.of("last_msg_send_time", "last_msg_receipt_time", "latest_end_time")) {
            assertThat(value(m, "pg_stat_wal_receiver_" + time, receiver)).as(time)
                    .hasValueSatisfying(v -> assertThat(v).isBetween(now - 3600.0, now + 60.0));
        }
        assertThat(primary.isStandby()).isFalse();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void standbyWithoutASlotIsReportedWithAnEmptySlotName(String major) throws SQLException {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        try (PgServer standby = PgServer.startStandby(primary)) {
            String pid = walSenderPid(primary, standby);

            MetricSnapshots onStandby = scrape(mon.on(standby), Set.of("stat_wal_receiver", "replication"));
            assertAllSucceeded(onStandby, Set.of("stat_wal_receiver", "replication"));
            assertThat(value(onStandby, "pg_replication_is_replica")).contains(1.0);
            // upstream v0.20.1 drops this row (#1193); pgvigil keeps it with slot_name="".
            assertThat(series(onStandby, "pg_stat_wal_receiver_received_tli"))
                    .containsExactly(Map.of("upstream_host", "127.0.0.1", "slot_name", "", "status", "streaming"));
            assertThat(value(onStandby, "pg_stat_wal_receiver_received_tli",
                             "upstream_host", "127.0.0.1", "slot_name", "", "status", "streaming")).contains(1.0);

            MetricSnapshots onPrimary = scrape(mon, Set.of("stat_replication"));
            assertThat(value(onPrimary, "pg_stat_replication_pg_current_wal_lsn_bytes",
                             "application_name", standby.standbyName().orElseThrow(), "client_addr", "127.0.0.1/32",
                             "state", "streaming", "slot_name", "", "pid", pid))
                    .hasValueSatisfying(v -> assertThat(v).isPositive());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void walSendersThatLookAlikeAreTwoSeries(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        String app = "pgvigil-twin-" + major;
        try (WalStream a = primary.openWalStream(app); WalStream b = primary.openWalStream(app)) {
            MetricSnapshots m = scrape(mon, Set.of("stat_replication"));
            assertAllSucceeded(m, Set.of("stat_replication"));
            List<Map<String, String>> twins = series(m, "pg_stat_replication_pg_current_wal_lsn_bytes").stream()
                    .filter(s -> s.get("application_name").equals(app)).toList();
            // Without the pid label these would be one duplicate series (upstream v0.20.1 answers HTTP 500 then).
            assertThat(twins).containsExactlyInAnyOrder(
                    Map.of("application_name", app, "client_addr", "127.0.0.1/32", "state", "streaming", "slot_name", "",
                           "pid", String.valueOf(a.pid())),
                    Map.of("application_name", app, "client_addr", "127.0.0.1/32", "state", "streaming", "slot_name", "",
                           "pid", String.valueOf(b.pid())));
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void walNeedsTheRightToListTheWalDirectory(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        primary.createRole("pgvigil_plain", mon.password());
        MetricSnapshots m = scrape(mon.asRole("pgvigil_plain"), Set.of("wal", "replication", "stat_archiver"));
        assertThat(value(m, "pg_scrape_collector_success", "collector", "wal")).contains(0.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "replication")).contains(1.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_archiver")).contains(1.0);
        assertThat(collectorShapes(m)).doesNotContainKeys("pg_wal_segments", "pg_wal_size_bytes")
                .containsKeys("pg_replication_is_replica", "pg_stat_archiver_archived_count");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void collectorsThatDoNotApplyAddNothingAndSucceed(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer primary = mon.server();
        // xlog_location is for PostgreSQL < 10 only; stat_wal_receiver has no row on a primary.
        MetricSnapshots m = scrape(mon, Set.of("xlog_location", "stat_wal_receiver"));
        assertAllSucceeded(m, Set.of("xlog_location", "stat_wal_receiver"));
        assertThat(collectorShapes(m)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void defaultsAreUpstreams() {
        Map<String, Boolean> defaults = CollectorCatalog.defaults();
        assertThat(defaults).containsEntry("replication", true).containsEntry("replication_slots", true)
                .containsEntry("stat_replication", true).containsEntry("stat_wal_receiver", false)
                .containsEntry("stat_archiver", true).containsEntry("wal", true).containsEntry("xlog_location", false);
    }
}
