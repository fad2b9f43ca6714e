package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code stat_wal_receiver}: the WAL receiver of a standby ({@code pg_stat_wal_receiver}; no row on a primary). WAL
 * positions are reported modulo 2^52 so that they stay exact as floats; times are Unix seconds. The row is left out
 * when the upstream host, the status or any position or time is NULL, as upstream does. Unlike upstream v0.20.1, a
 * standby that streams without a replication slot is reported, with {@code slot_name=""} (upstream drops the row).
 */
final class StatWalReceiverCollector {
    static final Collector COLLECTOR = new Collector("stat_wal_receiver", false, Collector.Scope.SERVER, StatWalReceiverCollector::collect);

    private StatWalReceiverCollector() {
    }

    // 4503599627370496 = 2^52. upstream_host is the host= value of the connection string without quotes.
    private static final String HEAD = """
            SELECT btrim(substring(conninfo FROM 'host=([^ ]*)'), '''') AS upstream_host,
                   slot_name,
                   status,
                   ((receive_start_lsn - '0/0'::pg_lsn) % 4503599627370496)::float8 AS receive_start_lsn,
                   receive_start_tli,
            """;
    private static final String TAIL = """
                   received_tli,
                   extract(epoch FROM last_msg_send_time)::float8 AS last_msg_send_time,
                   extract(epoch FROM last_msg_receipt_time)::float8 AS last_msg_receipt_time,
                   ((latest_end_lsn - '0/0'::pg_lsn) % 4503599627370496)::float8 AS latest_end_lsn,
                   extract(epoch FROM latest_end_time)::float8 AS latest_end_time,
                   substring(slot_name FROM 'repmgr_slot_([0-9]+)')::float8 AS upstream_node
              FROM pg_catalog.pg_stat_wal_receiver
            """;

    /** received_lsn was renamed flushed_lsn in PostgreSQL 13; upstream reports it only under the new name. */
    private static final Majors FLUSHED_LSN = Majors.since(13);

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, HEAD + TAIL),
            VersionedSql.since(FLUSHED_LSN.since(), HEAD
                    + "       ((flushed_lsn - '0/0'::pg_lsn) % 4503599627370496)::float8 AS flushed_lsn,\n" + TAIL));

    private static final String[] LABELS = {"upstream_host", "slot_name", "status"};

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family receiveStartLsn = out.counter("pg_stat_wal_receiver_receive_start_lsn",
                "First write-ahead log location used when WAL receiver is started represented as a decimal", LABELS);
        Family flushedLsn = out.counter("pg_stat_wal_receiver_flushed_lsn",
                "Last write-ahead log location already received and flushed to disk, the initial value of this field being the first log location used when WAL receiver is started represented as a decimal",
                LABELS);
        Family receiveStartTli = out.gauge("pg_stat_wal_receiver_receive_start_tli",
                "First timeline number used when WAL receiver is started", LABELS);
        Family receivedTli = out.gauge("pg_stat_wal_receiver_received_tli",
                "Timeline number of last write-ahead log location received and flushed to disk", LABELS);
        Family lastMsgSendTime = out.counter("pg_stat_wal_receiver_last_msg_send_time",
                "Send time of last message received from origin WAL sender", LABELS);
        Family lastMsgReceiptTime = out.counter("pg_stat_wal_receiver_last_msg_receipt_time",
                "Send time of last message received from origin WAL sender", LABELS);
        Family latestEndLsn = out.counter("pg_stat_wal_receiver_latest_end_lsn",
                "Last write-ahead log location reported to origin WAL sender as integer", LABELS);
        Family latestEndTime = out.counter("pg_stat_wal_receiver_latest_end_time",
                "Time of last write-ahead log location reported to origin WAL sender", LABELS);
        Family upstreamNode = out.gauge("pg_stat_wal_receiver_upstream_node", "Node ID of the upstream node", LABELS);

        boolean hasFlushedLsn = FLUSHED_LSN.contains(session.version());
        List<String> required = hasFlushedLsn
                ? List.of("upstream_host", "status", "receive_start_lsn", "receive_start_tli", "flushed_lsn",
                          "received_tli", "last_msg_send_time", "last_msg_receipt_time", "latest_end_lsn", "latest_end_time")
                : List.of("upstream_host", "status", "receive_start_lsn", "receive_start_tli",
                          "received_tli", "last_msg_send_time", "last_msg_receipt_time", "latest_end_lsn", "latest_end_time");
        session.query(SQL, row -> {
            for (String column : required) {
                if (row.isNull(column)) {
                    return;
                }
            }
            String[] labels = {row.text("upstream_host"), row.text("slot_name"), row.text("status")};
            receiveStartLsn.add(row.number("receive_start_lsn"), labels);
            if (hasFlushedLsn) {
                flushedLsn.add(row.number("flushed_lsn"), labels);
            }
            receiveStartTli.add(row.number("receive_start_tli"), labels);
            receivedTli.add(row.number("received_tli"), labels);
            lastMsgSendTime.add(row.number("last_msg_send_time"), labels);
            lastMsgReceiptTime.add(row.number("last_msg_receipt_time"), labels);
            latestEndLsn.add(row.number("latest_end_lsn"), labels);
            latestEndTime.add(row.number("latest_end_time"), labels);
            if (!row.isNull("upstream_node")) {
                upstreamNode.add(row.number("upstream_node"), labels);
            }
        });
    }
}
