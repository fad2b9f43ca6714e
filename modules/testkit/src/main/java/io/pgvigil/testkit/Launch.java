package io.pgvigil.testkit;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;

/**
 * How a server is brought up, step by step (see "How a server is started" and "Streaming standbys" in the module
 * README): a new directory, initdb or a base backup, the configuration, the start on a free port, a superuser login,
 * and for a standby the wait until it streams. A server whose start fails is removed again.
 */
final class Launch {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());

    private Launch() {
    }

    /** Starts a new primary of {@code version} in a new server directory and returns it ready for logins. */
    static PgServer primary(String version, boolean shared) {
        return primary(version, shared, Optional.empty());
    }

    /**
     * Starts a new primary of {@code version}, with {@code ssl = on}, the server certificate and the {@code hostssl}
     * rules of {@code tls} when present (see {@link ServerConfig#writeTls}).
     */
    static PgServer primary(String version, boolean shared, Optional<ServerConfig.Tls> tls) {
        long t0 = System.nanoTime();
        Path installation = Distributions.installation(version);
        long extracted = System.nanoTime();
        RunAs runAs = RunAs.current();
        Path base = Distributions.baseDir();
        Postmaster pm = new Postmaster(version, installation, runAs, ServerDirectories.create(base));
        PgServer server = new PgServer(version, pm, ServerDirectories.randomPassword(), shared, null, null, null);
        bringUp(server, () -> {
            runAs.allowTraverse(base);
            pm.initdb(server.superuser(), server.superuserPassword());
            ServerConfig.writePrimary(pm, version, PgServer.HOST);
            tls.ifPresent(t -> ServerConfig.writeTls(pm, t, runAs));
            server.startOnFreePort();
            checkLogin(server);
        });
        LOG.log(Level.INFO, "PostgreSQL {0} {1}" + (tls.isPresent() ? " with TLS" : "") + " on {2}:{3,number,#} ({4}), ready in {5} ms (binaries {6} ms), dir {7}",
                version, shared ? "shared server" : "private server", PgServer.HOST, server.port(), runAs,
                (System.nanoTime() - t0) / 1_000_000, (extracted - t0) / 1_000_000, pm.serverDir());
        return server;
    }

    /**
     * Starts a new hot standby of {@code primary} (through {@code slotName}, or none when null) and returns it once it
     * streams.
     */
    static PgServer standby(PgServer primary, String slotName, boolean shared) {
        Objects.requireNonNull(primary, "primary");
        if (primary.isStandby()) {
            throw new IllegalArgumentException("cascading standbys are not supported; " + primary + " is a standby");
        }
        if (!primary.isRunning()) {
            throw new IllegalStateException(primary + " is not running");
        }
        if (slotName != null && !slotName.matches("[a-z0-9_]{1,63}")) {
            throw new IllegalArgumentException("invalid replication slot name \"" + slotName
                    + "\" (lower-case letters, digits and underscores only)");
        }
        long t0 = System.nanoTime();
        RunAs runAs = RunAs.current();
        Path base = Distributions.baseDir();
        Path serverDir = ServerDirectories.create(base);
        Postmaster pm = new Postmaster(primary.version(), primary.postmaster().installation(), runAs, serverDir);
        String name = "pgvigil_standby_" + serverDir.getFileName().toString().substring("data-".length());
        PgServer standby = new PgServer(primary.version(), pm, primary.superuserPassword(), shared, primary, name,
                slotName);
        bringUp(standby, () -> {
            runAs.allowTraverse(base);
            if (slotName != null && Replication.createPhysicalSlot(primary, slotName)) {
                standby.slotCreatedHere();
            }
            Replication.baseBackup(primary, pm.dataDir());
            String conninfo = "host=" + PgServer.HOST + " port=" + primary.port() + " user=" + primary.superuser()
                    + " password=" + primary.superuserPassword() + " application_name=" + name;
            ServerConfig.writeStandby(pm, conninfo, Optional.ofNullable(slotName), primary);
            runAs.handOver(serverDir);
            standby.startOnFreePort();
            checkLogin(standby);
            Replication.awaitStreaming(standby, primary, name);
        });
        LOG.log(Level.INFO, "PostgreSQL {0} {1} standby of {2} on {3}:{4,number,#} (slot {5}), streaming after {6} ms, dir {7}",
                primary.version(), shared ? "shared" : "private", primary, PgServer.HOST, standby.port(),
                slotName == null ? "none" : slotName, (System.nanoTime() - t0) / 1_000_000, serverDir);
        return standby;
    }

    /** Registers {@code server} for the shutdown hook, then runs {@code steps}; removes it again when one fails. */
    private static void bringUp(PgServer server, Runnable steps) {
        ServerDirectories.live(server);
        try {
            steps.run();
        } catch (RuntimeException | Error e) {
            server.remove();
            throw e;
        }
    }

    /** Logs in as the superuser over TCP and checks the server's major. */
    private static void checkLogin(PgServer server) {
        int major = server.majorVersion();
        try (Connection c = server.connectAsSuperuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            int num = rs.getInt(1);
            if (num / 10000 != major) {
                throw new IllegalStateException("expected PostgreSQL " + major + " but the server reports " + num);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL " + server.version() + " started but the superuser cannot log"
                    + " in over TCP [" + e.getSQLState() + "]: " + e.getMessage() + server.logTail(), e);
        }
    }
}
