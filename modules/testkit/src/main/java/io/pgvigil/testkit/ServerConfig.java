package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What the testkit writes into a data directory: the settings and {@code pg_hba.conf} of a new server, and the
 * settings that turn a base backup into a hot standby (see the module README for every line).
 */
final class ServerConfig {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());

    private static final String HBA = """
            # pgvigil testkit
            local   all             all                     trust
            host    all             all     127.0.0.1/32    scram-sha-256
            host    all             all     ::1/128         scram-sha-256
            local   replication     all                     trust
            host    replication     all     127.0.0.1/32    scram-sha-256
            host    replication     all     ::1/128         scram-sha-256
            """;

    private ServerConfig() {
    }

    /**
     * Appends the testkit's settings to {@code postgresql.conf} of a fresh cluster (listening on {@code host} and a
     * socket in the server directory, scram, no fsync, UTC, {@code pg_stat_statements} preloaded when the binaries
     * ship it) and replaces its {@code pg_hba.conf}.
     */
    static void writePrimary(Postmaster pm, String version, String host) {
        Path installation = pm.installation();
        boolean pgss = Files.exists(installation.resolve("lib/postgresql/pg_stat_statements.so"))
                || Files.exists(installation.resolve("lib/pg_stat_statements.so"));
        StringBuilder conf = new StringBuilder("\n# --- pgvigil testkit ---\n")
                .append("listen_addresses = '").append(host).append("'\n")
                .append("unix_socket_directories = ").append(Sql.quoteLiteral(pm.serverDir().toString())).append('\n')
                .append("password_encryption = 'scram-sha-256'\n")
                .append("fsync = off\n")
                .append("max_connections = 100\n")
                .append("track_io_timing = on\n")
                .append("timezone = 'UTC'\n")
                .append("log_timezone = 'UTC'\n");
        if (pgss) {
            conf.append("shared_preload_libraries = 'pg_stat_statements'\n");
        } else {
            LOG.log(Level.WARNING, "PostgreSQL {0} ships no pg_stat_statements; not preloading it", version);
        }
        Path dataDir = pm.dataDir();
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("pg_hba.conf"), HBA, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure " + dataDir, e);
        }
    }

    /**
     * Turns the base backup in {@code pm}'s data directory into a hot standby that connects with {@code conninfo}
     * (through {@code slot} when there is one): its own socket directory, {@code hot_standby}, a WAL receiver that
     * reports every second, {@code primary_conninfo} and {@code primary_slot_name} in {@code postgresql.auto.conf},
     * and {@code standby.signal}. {@code primary} only names the primary in a comment.
     */
    static void writeStandby(Postmaster pm, String conninfo, Optional<String> slot, PgServer primary) {
        StringBuilder conf = new StringBuilder("\n# --- pgvigil testkit: standby ---\n")
                .append("unix_socket_directories = ").append(Sql.quoteLiteral(pm.serverDir().toString())).append('\n')
                .append("hot_standby = on\n")
                .append("wal_receiver_status_interval = '1s'\n");
        StringBuilder auto = new StringBuilder("\n# pgvigil testkit: standby of ").append(primary).append('\n')
                .append("primary_conninfo = ").append(Sql.quoteLiteral(conninfo)).append('\n');
        slot.ifPresent(s -> auto.append("primary_slot_name = ").append(Sql.quoteLiteral(s)).append('\n'));
        Path dataDir = pm.dataDir();
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("postgresql.auto.conf"), auto, StandardOpenOption.APPEND,
                    StandardOpenOption.CREATE);
            BaseBackup.writePrivateFile(dataDir.resolve("standby.signal"), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the standby in " + dataDir, e);
        }
    }
}
