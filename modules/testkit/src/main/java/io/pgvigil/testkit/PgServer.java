package io.pgvigil.testkit;


import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server started by the test suite from the binaries of one version (see the module README).
 *
 * <p>{@link #shared(String)} gives the one server of a major that all tests in a JVM share; it is stopped by a JVM
 * shutdown hook and must not be stopped by tests ({@link #close()} does nothing on it). {@link #start(String)} gives a
 * private server that the caller owns, may {@link #stop()} and {@link #restart()}, and must {@link #close()}.
 *
 * <p>{@link #sharedStandby(String)} and {@link #startStandby(PgServer, String)} give hot standbys streaming from a
 * primary (shared or private), and {@link #openWalStream(String)} opens a bare WAL sender.
 *
 * <p>The server listens on {@code 127.0.0.1} only, on a random free port, and on a unix socket in its own directory.
 * Local (socket) connections are trusted; TCP connections use scram-sha-256. The superuser is {@code postgres} with
 * a random password. {@code pg_stat_statements} is preloaded when the binaries ship it.
 */
public final class PgServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final String SUPERUSER = "postgres";
    static final String HOST = "127.0.0.1";
    /** The physical replication slot on a shared primary through which its {@link #sharedStandby(String)} streams. */
    public static final String SHARED_STANDBY_SLOT = "pgvigil_shared_standby";

    private static final Map<String, SharedSlot> SHARED = new ConcurrentHashMap<>();
    private static final Map<String, SharedSlot> SHARED_STANDBYS = new ConcurrentHashMap<>();

    private final String version;
    private final int major;
    private final Postmaster postmaster;
    private final String password;
    private final boolean shared;
    private final PgServer primary;
    private final String standbyName;
    private final String slotName;
    private boolean slotCreatedHere;
    private int port;
    private boolean running;
    private boolean removed;

    /** A server object for {@link Launch}; {@code primary}, {@code standbyName} and {@code slotName} null on a primary. */
    PgServer(String version, Postmaster postmaster, String password, boolean shared, PgServer primary,
             String standbyName, String slotName) {
        this.primary = primary;
        this.standbyName = standbyName;
        this.slotName = slotName;
        this.version = version;
        this.major = Integer.parseInt(Distributions.majorOf(version).split("\\.")[0]);
        this.postmaster = postmaster;
        this.password = password;
        this.shared = shared;
    }

    // ------------------------------------------------------------------------------------------------ factories

    /**
     * The server of {@code major} (e.g. {@code "17"}) shared by all tests of this JVM, started on first use and stopped
     * when the JVM exits. Thread-safe. A failed start is remembered and reported again to later callers.
     */
    public static PgServer shared(String major) {
        String version = versionFor(major);
        return SHARED.computeIfAbsent(version, v -> new SharedSlot("PostgreSQL " + v, () -> Launch.primary(v, true))).get();
    }

    /** A fresh private server of {@code major}; the caller owns it and must {@link #close()} it. */
    public static PgServer start(String major) {
        return Launch.primary(versionFor(major), false);
    }

    /**
     * A private hot standby of {@code primary}, streaming from it without a replication slot. The caller owns it and
     * must {@link #close()} it. Returns once the standby streams (see {@link #startStandby(PgServer, String)}).
     */
    public static PgServer startStandby(PgServer primary) {
        return Launch.standby(primary, null, false);
    }

    /**
     * A private hot standby of {@code primary}, streaming from it through the physical replication slot
     * {@code slotName} ({@code primary_slot_name}); {@code null} means no slot. A missing slot is created on the primary
     * ({@code pg_create_physical_replication_slot}) and dropped again when the standby is closed; an existing slot is
     * used as it is and left alone.
     *
     * <p>Returns once the standby's WAL receiver streams and the primary lists it in {@code pg_stat_replication} with a
     * replay position. The standby's {@code application_name} is {@link #standbyName()}. The caller owns it and must
     * {@link #close()} it.
     */
    public static PgServer startStandby(PgServer primary, String slotName) {
        return Launch.standby(primary, slotName, false);
    }

    /**
     * The hot standby of {@link #shared(String) shared(major)} shared by all tests of this JVM, started on first use,
     * streaming through the physical slot {@value #SHARED_STANDBY_SLOT} on the primary, and stopped when the JVM exits.
     * Like every shared server it must not be stopped by tests.
     */
    public static PgServer sharedStandby(String major) {
        String version = versionFor(major);
        return SHARED_STANDBYS.computeIfAbsent(version, v -> new SharedSlot("standby of PostgreSQL " + v,
                () -> Launch.standby(shared(major), SHARED_STANDBY_SLOT, true))).get();
    }

    /** The majors available to the suite (from {@code pgvigil.pg.versions}), ascending, e.g. {@code [13, 17]}. */
    public static List<String> majors() {
        return List.copyOf(Distributions.versionsByMajor().keySet());
    }

    static String versionFor(String major) {
        Objects.requireNonNull(major, "major");
        Map<String, String> byMajor = Distributions.versionsByMajor();
        String version = byMajor.get(major.strip());
        if (version == null) {
            throw new IllegalArgumentException("No PostgreSQL " + major + " available; available majors: "
                    + byMajor.keySet() + " (versions " + Distributions.configuredVersions()
                    + " from -Dpgvigil.pg.versions=" + System.getProperty("pgvigil.pg.versions") + ")");
        }
        return version;
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** The TCP port on {@link #host()}. */
    public synchronized int port() {
        return port;
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The full version of the binaries, e.g. {@code 17.5.0}. */
    public String version() {
        return version;
    }

    /** The major version, e.g. {@code 17}. */
    public int majorVersion() {
        return major;
    }

    /** {@code postgres}. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser's random password (TCP connections need it; scram-sha-256). */
    public String superuserPassword() {
        return password;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
    }

    /** The directory of the unix socket ({@code .s.PGSQL.<port>}). */
    public Path socketDirectory() {
        return postmaster.serverDir();
    }

    /** The data directory. */
    public Path dataDirectory() {
        return postmaster.dataDir();
    }

    /** The server log file. */
    public Path logFile() {
        return postmaster.logFile();
    }

    /** Whether this is a {@link #shared(String)} server. */
    public boolean isShared() {
        return shared;
    }

    /** Whether the server is running (as far as this object knows). */
    public synchronized boolean isRunning() {
        return running;
    }

    /** Whether this server is a streaming standby (see {@link #startStandby(PgServer, String)}). */
    public boolean isStandby() {
        return primary != null;
    }

    /** The primary this standby streams from; empty for a primary. */
    public Optional<PgServer> primary() {
        return Optional.ofNullable(primary);
    }

    /** The standby's {@code application_name} on its primary (e.g. in {@code pg_stat_replication}); empty for a primary. */
    public Optional<String> standbyName() {
        return Optional.ofNullable(standbyName);
    }

    /** The physical replication slot on the primary this standby streams through; empty without one, or for a primary. */
    public Optional<String> replicationSlot() {
        return Optional.ofNullable(slotName);
    }

    @Override
    public String toString() {
        return "PgServer[" + version + " " + HOST + ":" + port + (shared ? " shared" : "")
                + (primary == null ? "" : " standby of :" + primary.port) + "]";
    }

    // ------------------------------------------------------------------------------------------------ SQL helpers

    /** A new JDBC connection to {@code database} as the superuser, over TCP. */
    public Connection connectAsSuperuser(String database) throws SQLException {
        return connect(database, SUPERUSER, password);
    }

    /** A new JDBC connection to {@code database} as {@code user}, over TCP. */
    public Connection connect(String database, String user, String userPassword) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (userPassword != null) {
            props.setProperty("password", userPassword);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "120");
        props.setProperty("ApplicationName", "pgvigil-testkit");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /**
     * Creates the login role {@code name} with {@code password} and the given extra CREATE ROLE clauses, e.g.
     * {@code createRole("monitor", "s3cret", "IN ROLE pg_monitor")}. If the role exists, its password is reset, LOGIN
     * is granted and the clauses are applied on top ({@code IN ROLE}/{@code IN GROUP} as GRANTs, the rest with ALTER
     * ROLE); nothing is revoked.
     */
    public synchronized void createRole(String name, String rolePassword, String... extraClauses) {
        Sql.createRole(this, name, rolePassword, extraClauses);
    }

    /** Creates database {@code name} owned by {@code owner} (the superuser when null); if it exists, sets its owner. */
    public synchronized void createDatabase(String name, String owner) {
        Sql.createDatabase(this, name, owner);
    }

    /** Runs {@code sql} (one or more statements, autocommit) in {@code database} as the superuser. */
    public void execute(String database, String sql) {
        try (Connection c = connectAsSuperuser(database); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw sqlFailure(sql, e);
        }
    }

    /** The first column of the first row of {@code sql} in {@code database} as the superuser (NULL is 0, as JDBC has it). */
    public double queryDouble(String database, String sql, Object... params) {
        return Sql.queryFirst(this, database, sql, params, rs -> rs.getDouble(1));
    }

    /** The first column of the first row of {@code sql} in {@code database} as the superuser; a NULL fails. */
    public String queryString(String database, String sql, Object... params) {
        return Sql.queryFirst(this, database, sql, params, rs -> Objects.requireNonNull(rs.getString(1), "NULL from " + sql));
    }

    /** The pids of the sessions that have {@code applicationName}, ascending: what a test opened on a shared server. */
    public List<Integer> backendPids(String applicationName) {
        return Sql.backendPids(this, applicationName);
    }

    IllegalStateException sqlFailure(String sql, SQLException e) {
        return new IllegalStateException("SQL failed on " + this + " [SQLState " + e.getSQLState() + "]: "
                + e.getMessage() + (sql == null ? "" : "\n  statement: " + sql), e);
    }

    // ------------------------------------------------------------------------------------------------ replication

    /**
     * Waits until this standby has replayed everything its primary had written when the call began, e.g. a role just
     * created on the primary. Throws after 60 s.
     */
    public void awaitCaughtUp() {
        if (primary == null) {
            throw new IllegalStateException(this + " is not a standby");
        }
        Replication.awaitCaughtUp(this, primary);
    }

    /**
     * Opens a bare WAL sender on this server: a physical replication connection, as a standby's WAL receiver opens it,
     * streaming from the current WAL position without a slot, as the superuser over TCP with {@code application_name}
     * {@code applicationName}. Returns once {@code pg_stat_replication} shows it streaming. Nothing reads the stream,
     * so it stays near the current position; close it when done.
     */
    public WalStream openWalStream(String applicationName) {
        return Replication.openWalStream(this, applicationName);
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Stops a private server (fast shutdown), keeping its data and port so that {@link #restart()} can bring it back.
     * Not allowed on a shared server.
     */
    public synchronized void stop() {
        requirePrivate("stop");
        if (!running) {
            return;
        }
        Exec.Result r = postmaster.stopFast();
        running = false;
        if (!r.ok()) {
            throw new IllegalStateException("cannot stop " + this + ": " + r.describe() + logTail());
        }
    }

    /**
     * Makes TCP logins of {@code user} (from {@code 127.0.0.1} and {@code ::1}) use the {@code pg_hba.conf} method
     * {@code method} ({@code password}, {@code md5}, {@code scram-sha-256}, {@code trust}, {@code reject}), ahead of
     * every other rule, and restarts the server so that the very next connection sees it (a reload is signalled
     * asynchronously). Private servers only.
     */
    public synchronized void hbaRule(String user, String method) {
        requirePrivate("hbaRule");
        ServerConfig.prependHbaRules(postmaster, user, method);
        restart();
    }

    /** Starts a stopped private server again on the same port, or restarts a running one. */
    public synchronized void restart() {
        requirePrivate("restart");
        if (removed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (running) {
            Exec.Result r = postmaster.restartOn(port);
            if (!r.ok()) {
                running = postmaster.isAlive();
                throw new IllegalStateException("cannot restart " + this + ": " + r.describe() + logTail());
            }
        } else {
            Exec.Result r = postmaster.startOn(port);
            if (!r.ok()) {
                throw new IllegalStateException("cannot start " + this + " again: " + r.describe() + logTail());
            }
        }
        running = true;
    }

    /**
     * Stops a private server at once and deletes its directory. Does nothing on a shared server (the JVM shutdown
     * hook stops those), so try-with-resources on {@link #shared(String)} is harmless.
     */
    @Override
    public void close() {
        if (shared) {
            return;
        }
        remove();
    }

    private void requirePrivate(String what) {
        if (shared) {
            throw new UnsupportedOperationException("cannot " + what + " the shared " + this
                    + "; use PgServer.start(major) for a private server");
        }
    }

    /** Immediate stop, then delete the server directory (and a slot this standby created). Idempotent. */
    synchronized void remove() {
        if (removed) {
            return;
        }
        removed = true;
        try {
            if (running || postmaster.hasPidFile()) {
                postmaster.stopImmediately();
            }
            running = false;
            Distributions.deleteRecursively(postmaster.serverDir());
            if (primary != null && slotCreatedHere && !ServerDirectories.exiting()) {
                Replication.dropSlotQuietly(primary, slotName);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot clean up " + this + " in " + postmaster.serverDir(), e);
        } finally {
            ServerDirectories.gone(this);
        }
    }

    /** Starts the server on a free port (see {@link Postmaster#startOnFreePort(String)}). */
    synchronized void startOnFreePort() {
        port = postmaster.startOnFreePort(HOST);
        running = true;
    }

    /** Records that this standby created its slot, so that {@link #remove()} drops it again. */
    synchronized void slotCreatedHere() {
        slotCreatedHere = true;
    }

    Postmaster postmaster() {
        return postmaster;
    }

    /** The last lines of the server log, prefixed for appending to an error message. */
    String logTail() {
        return postmaster.logTail();
    }
}
