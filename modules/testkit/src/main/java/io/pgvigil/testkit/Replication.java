package io.pgvigil.testkit;

import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streaming replication between testkit servers: slots, the base backup a standby starts from, waiting until a
 * standby streams or has caught up, and bare WAL senders (see "Streaming standbys" in the module README).
 */
final class Replication {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern START_WAL_FILE = Pattern.compile("\\(file ([0-9A-F]{24})\\)");

    private Replication() {
    }

    /** Creates physical slot {@code name} (reserving WAL at once) unless it exists; returns whether it created it. */
    static boolean createPhysicalSlot(PgServer primary, String name) {
        try (Connection c = primary.connectAsSuperuser("postgres")) {
            if (Sql.exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", name)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
                ps.setString(1, name);
                ps.execute();
            }
            return true;
        } catch (SQLException e) {
            throw primary.sqlFailure("SELECT pg_create_physical_replication_slot('" + name + "', true)", e);
        }
    }

    /** Drops slot {@code name} once no WAL sender uses it any more (best effort, a few seconds at most). */
    static void dropSlotQuietly(PgServer primary, String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Connection c = primary.connectAsSuperuser("postgres");
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                 + " WHERE slot_name = ? AND NOT active")) {
                ps.setString(1, name);
                ps.execute();
                if (!Sql.exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", name)) {
                    return;
                }
            } catch (SQLException e) {
                LOG.log(Level.DEBUG, "dropping slot {0} on {1}: {2}", name, primary, e.getMessage());
            }
            if (System.nanoTime() > deadline || ServerDirectories.exiting() || !primary.isRunning()) {
                LOG.log(Level.WARNING, "replication slot {0} on {1} was left behind", name, primary);
                return;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /**
     * Takes a base backup of the running {@code primary} into {@code target}, the way pg_basebackup does it (the zonky
     * binaries ship no pg_basebackup): a non-exclusive backup, the data directory copied file by file while it is
     * open, the backup label written from what the stop function returns, then the WAL from the backup's start to its
     * end copied so that the standby reaches a consistent state without depending on the primary still having it.
     */
    static void baseBackup(PgServer primary, Path target) {
        boolean since15 = primary.majorVersion() >= 15;
        String startSql = since15 ? "SELECT pg_backup_start('pgvigil standby', true)"
                : "SELECT pg_start_backup('pgvigil standby', true, false)";
        String stopSql = since15
                ? "SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS last_wal FROM pg_backup_stop(false)"
                : "SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS last_wal FROM pg_stop_backup(false, false)";
        Path dataDir = primary.dataDirectory();
        String sql = startSql;
        try (Connection c = primary.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            st.execute(startSql);
            BaseBackup.copyDataDirectory(dataDir, target);
            sql = stopSql;
            String label;
            String spcmap;
            String lastWal;
            try (ResultSet rs = st.executeQuery(stopSql)) {
                rs.next();
                label = rs.getString("labelfile");
                spcmap = rs.getString("spcmapfile");
                lastWal = rs.getString("last_wal");
            }
            BaseBackup.writePrivateFile(target.resolve("backup_label"), label);
            if (spcmap != null && !spcmap.isBlank()) {
                BaseBackup.writePrivateFile(target.resolve("tablespace_map"), spcmap);
            }
            Matcher m = START_WAL_FILE.matcher(label);
            if (!m.find()) {
                throw new IllegalStateException("no start WAL file in the backup label of " + primary + ":\n" + label);
            }
            BaseBackup.copyWal(dataDir.resolve("pg_wal"), target.resolve("pg_wal"), m.group(1), lastWal);
        } catch (SQLException e) {
            throw primary.sqlFailure(sql, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + dataDir + " to " + target, e);
        }
    }

    /**
     * Waits until {@code standby}'s WAL receiver streams and has received WAL from the primary (every column of
     * {@code pg_stat_wal_receiver} but {@code written_lsn} is set), and the primary reports the standby streaming with a
     * replay position. An idle primary sends no WAL to a standby that starts where the copied WAL ends, so the primary
     * is nudged into writing a commit record.
     */
    static void awaitStreaming(PgServer standby, PgServer primary, String standbyName) {
        poll(standby, standby + " streaming from " + primary, () -> {
            try (Connection c = standby.connectAsSuperuser("postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT status, last_msg_receipt_time IS NOT NULL"
                         + " AND latest_end_time IS NOT NULL AS heard, latest_end_lsn IS NOT NULL AS received"
                         + " FROM pg_stat_wal_receiver")) {
                if (!rs.next() || !"streaming".equals(rs.getString(1)) || !rs.getBoolean(2)) {
                    return "no streaming WAL receiver yet on the standby";
                }
                if (!rs.getBoolean(3)) {
                    primary.execute("postgres", "SELECT txid_current()");
                    return "the standby has not received any WAL yet";
                }
            }
            try (Connection c = primary.connectAsSuperuser("postgres");
                 PreparedStatement ps = c.prepareStatement("SELECT state = 'streaming' AND replay_lsn IS NOT NULL"
                         + " FROM pg_stat_replication WHERE application_name = ?")) {
                ps.setString(1, standbyName);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1) ? null : "the primary does not list the standby streaming yet";
                }
            }
        });
    }

    /** See {@link PgServer#awaitCaughtUp()}. */
    static void awaitCaughtUp(PgServer standby, PgServer primary) {
        String target;
        try (Connection c = primary.connectAsSuperuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            target = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the WAL position of " + primary + ": " + e.getMessage(), e);
        }
        String check = "SELECT coalesce(pg_last_wal_replay_lsn() >= " + Sql.quoteLiteral(target) + "::pg_lsn, false)";
        poll(standby, "replay of " + target + " on " + standby, () -> {
            try (Connection c = standby.connectAsSuperuser("postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(check)) {
                rs.next();
                return rs.getBoolean(1) ? null : "replayed only up to an earlier position";
            }
        });
    }

    /** See {@link PgServer#openWalStream(String)}. */
    static WalStream openWalStream(PgServer server, String applicationName) {
        Properties props = new Properties();
        props.setProperty("user", server.superuser());
        props.setProperty("password", server.superuserPassword());
        props.setProperty("replication", "database");
        props.setProperty("assumeMinServerVersion", "10");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        Connection c = null;
        try {
            c = DriverManager.getConnection(server.jdbcUrl("postgres"), props);
            int pid;
            String lsn;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), pg_current_wal_lsn()::text")) {
                rs.next();
                pid = rs.getInt(1);
                lsn = rs.getString(2);
            }
            PGReplicationStream stream = c.unwrap(PGConnection.class)
                    .getReplicationAPI().replicationStream().physical()
                    .withStartPosition(LogSequenceNumber.valueOf(lsn))
                    .start();
            WalStream ws = new WalStream(c, stream, pid);
            poll(server, "WAL sender " + pid + " streaming on " + server, () -> {
                try (Connection q = server.connectAsSuperuser("postgres");
                     PreparedStatement ps = q.prepareStatement("SELECT state FROM pg_stat_replication WHERE pid = ?")) {
                    ps.setInt(1, pid);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() && "streaming".equals(rs.getString(1)) ? null : "not streaming yet";
                    }
                }
            });
            return ws;
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already failing
                }
            }
            if (e instanceof SQLException se) {
                throw server.sqlFailure("START_REPLICATION PHYSICAL", se);
            }
            throw (RuntimeException) e;
        }
    }

    /** A condition to wait for: returns null when met, else what is still missing. */
    @FunctionalInterface
    private interface Condition {
        String missing() throws SQLException;
    }

    /** Polls {@code condition} every 50 ms for {@link #STREAMING_TIMEOUT}, then throws with {@code server}'s log. */
    private static void poll(PgServer server, String what, Condition condition) {
        long deadline = System.nanoTime() + STREAMING_TIMEOUT.toNanos();
        String missing;
        while (true) {
            try {
                missing = condition.missing();
            } catch (SQLException e) {
                missing = "[" + e.getSQLState() + "] " + e.getMessage();
            }
            if (missing == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + STREAMING_TIMEOUT.toSeconds() + " s waiting for "
                        + what + ": " + missing + server.logTail());
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
