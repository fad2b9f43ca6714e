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
     * What a TLS server presents and trusts.
     *
     * @param certificate the server certificate (PEM)
     * @param key         its private key (PEM, unencrypted)
     * @param clientCa    the CA whose client certificates the server accepts ({@code ssl_ca_file})
     * @param roles       the roles of the {@code hostssl} rules: certificate only, certificate and password, password
     */
    record Tls(Path certificate, Path key, Path clientCa, TlsRoles roles) {
    }

    /**
     * The role names the TLS rules of {@code pg_hba.conf} name.
     *
     * @param cert         logs in with a client certificate alone ({@code cert clientcert=verify-full})
     * @param certPassword needs a client certificate and its password ({@code scram-sha-256 clientcert=verify-full})
     * @param password     needs TLS and its password, no client certificate
     */
    record TlsRoles(String cert, String certPassword, String password) {
    }

    /**
     * Turns TLS on in a fresh cluster configured by {@link #writePrimary}: copies the certificate, the key (mode 0600,
     * given to the server's user) and the client CA into the data directory, sets {@code ssl = on} with them, and puts
     * the {@code hostssl} rules (plus {@code hostnossl ... reject} for the same roles, so that a test of these roles
     * proves TLS was used) before the testkit's other rules.
     */
    static void writeTls(Postmaster pm, Tls tls, RunAs runAs) {
        Path dataDir = pm.dataDir();
        TlsRoles r = tls.roles();
        String rules = "# pgvigil testkit: TLS\n"
                + "hostnossl all " + r.cert() + "," + r.certPassword() + "," + r.password() + " 127.0.0.1/32 reject\n"
                + "hostssl   all " + r.cert() + " 127.0.0.1/32 cert clientcert=verify-full\n"
                + "hostssl   all " + r.certPassword() + " 127.0.0.1/32 scram-sha-256 clientcert=verify-full\n"
                + "hostssl   all " + r.password() + " 127.0.0.1/32 scram-sha-256\n";
        String conf = "\n# --- pgvigil testkit: TLS ---\n"
                + "ssl = on\n"
                + "ssl_cert_file = 'server.crt'\n"
                + "ssl_key_file = 'server.key'\n"
                + "ssl_ca_file = 'client-ca.crt'\n";
        try {
            for (var copy : java.util.Map.of(tls.certificate(), "server.crt", tls.key(), "server.key",
                    tls.clientCa(), "client-ca.crt").entrySet()) {
                Path target = dataDir.resolve(copy.getValue());
                BaseBackup.writePrivateFile(target, Files.readString(copy.getKey()));
                runAs.handOver(target);
            }
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("pg_hba.conf"), rules + Files.readString(dataDir.resolve("pg_hba.conf")),
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure TLS in " + dataDir, e);
        }
    }

    /**
     * Puts TCP rules for {@code user} (from {@code 127.0.0.1} and {@code ::1}) with {@code method} ahead of every
     * other rule of the server's {@code pg_hba.conf}; the caller restarts the server.
     */
    static void prependHbaRules(Postmaster pm, String user, String method) {
        Path hba = pm.dataDir().resolve("pg_hba.conf");
        String quoted = "\"" + user.replace("\"", "\"\"") + "\"";
        String rules = "host    all    " + quoted + "    127.0.0.1/32    " + method + "\n"
                + "host    all    " + quoted + "    ::1/128         " + method + "\n";
        try {
            Files.writeString(hba, rules + Files.readString(hba));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + hba, e);
        }
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
