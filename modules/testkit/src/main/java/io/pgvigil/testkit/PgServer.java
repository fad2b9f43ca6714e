package io.pgvigil.testkit;

import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final String HOST = "127.0.0.1";
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
    private static final int START_WAIT_SECONDS = 60;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int PORT_ATTEMPTS = 4;
    private static final String OWNER_PID_FILE = "owner.pid";
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);
    /** The physical replication slot on a shared primary through which its {@link #sharedStandby(String)} streams. */
    public static final String SHARED_STANDBY_SLOT = "pgvigil_shared_standby";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Map<String, SharedSlot> SHARED = new ConcurrentHashMap<>();
    private static final Map<String, SharedSlot> SHARED_STANDBYS = new ConcurrentHashMap<>();
    private static final Set<PgServer> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object HOOK_LOCK = new Object();
    private static boolean hookInstalled;
    private static boolean staleSwept;
    private static volatile boolean exiting;

    private final String version;
    private final int major;
    private final Path installation;
    private final RunAs runAs;
    private final Path serverDir;
    private final Path dataDir;
    private final Path logFile;
    private final String password;
    private final boolean shared;
    private final PgServer primary;
    private final String standbyName;
    private final String slotName;
    private boolean slotCreatedHere;
    private int port;
    private boolean running;
    private boolean removed;

    private PgServer(String version, Path installation, RunAs runAs, Path serverDir, String password,
                     boolean shared) {
        this(version, installation, runAs, serverDir, password, shared, null, null, null);
    }

    private PgServer(String version, Path installation, RunAs runAs, Path serverDir, String password,
                     boolean shared, PgServer primary, String standbyName, String slotName) {
        this.primary = primary;
        this.standbyName = standbyName;
        this.slotName = slotName;
        this.version = version;
        this.major = Integer.parseInt(Distributions.majorOf(version).split("\\.")[0]);
        this.installation = installation;
        this.runAs = runAs;
        this.serverDir = serverDir;
        this.dataDir = serverDir.resolve("data");
        this.logFile = serverDir.resolve("postgres.log");
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
        return SHARED.computeIfAbsent(version, v -> new SharedSlot("PostgreSQL " + v, () -> launch(v, true))).get();
    }

    /** A fresh private server of {@code major}; the caller owns it and must {@link #close()} it. */
    public static PgServer start(String major) {
        return launch(versionFor(major), false);
    }

    /**
     * A private hot standby of {@code primary}, streaming from it without a replication slot. The caller owns it and
     * must {@link #close()} it. Returns once the standby streams (see {@link #startStandby(PgServer, String)}).
     */
    public static PgServer startStandby(PgServer primary) {
        return launchStandby(primary, null, false);
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
        return launchStandby(primary, slotName, false);
    }

    /**
     * The hot standby of {@link #shared(String) shared(major)} shared by all tests of this JVM, started on first use,
     * streaming through the physical slot {@value #SHARED_STANDBY_SLOT} on the primary, and stopped when the JVM exits.
     * Like every shared server it must not be stopped by tests.
     */
    public static PgServer sharedStandby(String major) {
        String version = versionFor(major);
        return SHARED_STANDBYS.computeIfAbsent(version, v -> new SharedSlot("standby of PostgreSQL " + v,
                () -> launchStandby(shared(major), SHARED_STANDBY_SLOT, true))).get();
    }

    /** The majors available to the suite (from {@code pgvigil.pg.versions}), ascending, e.g. {@code [13, 17]}. */
    public static List<String> majors() {
        return List.copyOf(Distributions.versionsByMajor().keySet());
    }

    private static String versionFor(String major) {
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

    private static PgServer launch(String version, boolean shared) {
        long t0 = System.nanoTime();
        Path installation = Distributions.installation(version);
        long extracted = System.nanoTime();
        RunAs runAs = RunAs.current();
        Path base = Distributions.baseDir();
        Path serverDir = newServerDir(base);
        PgServer server = new PgServer(version, installation, runAs, serverDir, randomPassword(), shared);
        LIVE.add(server);
        try {
            runAs.allowTraverse(base);
            server.initdb();
            server.configure();
            server.startWithFreePort();
            server.checkLogin();
        } catch (RuntimeException | Error e) {
            server.remove();
            throw e;
        }
        LOG.log(Level.INFO, "PostgreSQL {0} {1} on {2}:{3,number,#} ({4}), ready in {5} ms (binaries {6} ms), dir {7}",
                version, shared ? "shared server" : "private server", HOST, server.port, runAs,
                (System.nanoTime() - t0) / 1_000_000, (extracted - t0) / 1_000_000, serverDir);
        return server;
    }

    /**
     * A new private directory for one server under {@code base}, after removing what dead test runs left there
     * (once per JVM) and making sure this JVM's servers are stopped when it exits.
     */
    private static Path newServerDir(Path base) {
        sweepStaleOnce(base);
        installShutdownHook();
        try {
            Path serverDir = base.resolve("data-" + HexFormat.of().formatHex(randomBytes(6)));
            Files.createDirectory(serverDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.writeString(serverDir.resolve(OWNER_PID_FILE), ProcessHandle.current().pid() + "\n");
            return serverDir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a server directory under " + base, e);
        }
    }

    private static PgServer launchStandby(PgServer primary, String slotName, boolean shared) {
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
        Path serverDir = newServerDir(base);
        String name = "pgvigil_standby_" + serverDir.getFileName().toString().substring("data-".length());
        PgServer standby = new PgServer(primary.version, primary.installation, runAs, serverDir, primary.password,
                shared, primary, name, slotName);
        LIVE.add(standby);
        try {
            runAs.allowTraverse(base);
            if (slotName != null) {
                standby.slotCreatedHere = primary.createPhysicalSlot(slotName);
            }
            primary.baseBackupInto(standby.dataDir);
            standby.configureStandby();
            runAs.handOver(serverDir);
            standby.startWithFreePort();
            standby.checkLogin();
            standby.awaitStreaming(STREAMING_TIMEOUT);
        } catch (RuntimeException | Error e) {
            standby.remove();
            throw e;
        }
        LOG.log(Level.INFO, "PostgreSQL {0} {1} standby of {2} on {3}:{4,number,#} (slot {5}), streaming after {6} ms, dir {7}",
                primary.version, shared ? "shared" : "private", primary, HOST, standby.port,
                slotName == null ? "none" : slotName, (System.nanoTime() - t0) / 1_000_000, serverDir);
        return standby;
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
        return serverDir;
    }

    /** The data directory. */
    public Path dataDirectory() {
        return dataDir;
    }

    /** The server log file. */
    public Path logFile() {
        return logFile;
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
        String sql = null;
        try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            String role = quoteIdent(name);
            String pw = rolePassword == null ? "NULL" : quoteLiteral(rolePassword);
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", name)) {
                StringBuilder b = new StringBuilder("CREATE ROLE ").append(role).append(" LOGIN PASSWORD ").append(pw);
                for (String clause : extraClauses) {
                    b.append(' ').append(clause);
                }
                sql = b.toString();
                st.execute(sql);
                return;
            }
            sql = "ALTER ROLE " + role + " WITH LOGIN PASSWORD " + pw;
            st.execute(sql);
            for (String clause : extraClauses) {
                String trimmed = clause.strip();
                String upper = trimmed.toUpperCase(Locale.ROOT);
                if (upper.startsWith("IN ROLE ") || upper.startsWith("IN GROUP ")) {
                    sql = "GRANT " + trimmed.substring(upper.indexOf(' ', 3) + 1) + " TO " + role;
                } else {
                    sql = "ALTER ROLE " + role + " WITH " + trimmed;
                }
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw sqlFailure(sql, e);
        }
    }

    /** Creates database {@code name} owned by {@code owner} (the superuser when null); if it exists, sets its owner. */
    public synchronized void createDatabase(String name, String owner) {
        String sql = null;
        try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            String ownerIdent = quoteIdent(owner == null ? SUPERUSER : owner);
            if (exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
                sql = "ALTER DATABASE " + quoteIdent(name) + " OWNER TO " + ownerIdent;
            } else {
                sql = "CREATE DATABASE " + quoteIdent(name) + " OWNER " + ownerIdent;
            }
            st.execute(sql);
        } catch (SQLException e) {
            throw sqlFailure(sql, e);
        }
    }

    /** Runs {@code sql} (one or more statements, autocommit) in {@code database} as the superuser. */
    public void execute(String database, String sql) {
        try (Connection c = connectAsSuperuser(database); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw sqlFailure(sql, e);
        }
    }

    private static boolean exists(Connection c, String query, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private IllegalStateException sqlFailure(String sql, SQLException e) {
        return new IllegalStateException("SQL failed on " + this + " [SQLState " + e.getSQLState() + "]: "
                + e.getMessage() + (sql == null ? "" : "\n  statement: " + sql), e);
    }

    static String quoteIdent(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String literal) {
        return "'" + literal.replace("'", "''") + "'";
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
        String target;
        try (Connection c = primary.connectAsSuperuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            target = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the WAL position of " + primary + ": " + e.getMessage(), e);
        }
        String check = "SELECT coalesce(pg_last_wal_replay_lsn() >= " + quoteLiteral(target) + "::pg_lsn, false)";
        poll("replay of " + target + " on " + this, STREAMING_TIMEOUT, () -> {
            try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(check)) {
                rs.next();
                return rs.getBoolean(1) ? null : "replayed only up to an earlier position";
            }
        });
    }

    /**
     * Opens a bare WAL sender on this server: a physical replication connection, as a standby's WAL receiver opens it,
     * streaming from the current WAL position without a slot, as the superuser over TCP with {@code application_name}
     * {@code applicationName}. Returns once {@code pg_stat_replication} shows it streaming. Nothing reads the stream,
     * so it stays near the current position; close it when done.
     */
    public WalStream openWalStream(String applicationName) {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", password);
        props.setProperty("replication", "database");
        props.setProperty("assumeMinServerVersion", "10");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        Connection c = null;
        try {
            c = DriverManager.getConnection(jdbcUrl("postgres"), props);
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
            poll("WAL sender " + pid + " streaming on " + this, STREAMING_TIMEOUT, () -> {
                try (Connection q = connectAsSuperuser("postgres");
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
                throw sqlFailure("START_REPLICATION PHYSICAL", se);
            }
            throw (RuntimeException) e;
        }
    }

    /** A WAL sender opened by {@link #openWalStream(String)}. */
    public static final class WalStream implements AutoCloseable {
        private final Connection connection;
        private final PGReplicationStream stream;
        private final int pid;

        private WalStream(Connection connection, PGReplicationStream stream, int pid) {
            this.connection = connection;
            this.stream = stream;
            this.pid = pid;
        }

        /** The process id of the WAL sender on the server ({@code pg_stat_replication.pid}). */
        public int pid() {
            return pid;
        }

        @Override
        public void close() {
            try {
                stream.close();
            } catch (SQLException ignored) {
                // the connection goes anyway
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing left to do
            }
        }
    }

    /** Creates physical slot {@code name} (reserving WAL at once) unless it exists; returns whether it created it. */
    private boolean createPhysicalSlot(String name) {
        try (Connection c = connectAsSuperuser("postgres")) {
            if (exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", name)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
                ps.setString(1, name);
                ps.execute();
            }
            return true;
        } catch (SQLException e) {
            throw sqlFailure("SELECT pg_create_physical_replication_slot('" + name + "', true)", e);
        }
    }

    /** Drops slot {@code name} once no WAL sender uses it any more (best effort, a few seconds at most). */
    private void dropSlotQuietly(String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Connection c = connectAsSuperuser("postgres");
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                 + " WHERE slot_name = ? AND NOT active")) {
                ps.setString(1, name);
                ps.execute();
                if (!exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", name)) {
                    return;
                }
            } catch (SQLException e) {
                LOG.log(Level.DEBUG, "dropping slot {0} on {1}: {2}", name, this, e.getMessage());
            }
            if (System.nanoTime() > deadline || exiting || !isRunning()) {
                LOG.log(Level.WARNING, "replication slot {0} on {1} was left behind", name, this);
                return;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /**
     * Takes a base backup of this (running) primary into {@code target}, the way pg_basebackup does it (the zonky
     * binaries ship no pg_basebackup): a non-exclusive backup, the data directory copied file by file while it is
     * open, the backup label written from what the stop function returns, then the WAL from the backup's start to its
     * end copied so that the standby reaches a consistent state without depending on the primary still having it.
     */
    private void baseBackupInto(Path target) {
        String startSql = major >= 15 ? "SELECT pg_backup_start('pgvigil standby', true)"
                : "SELECT pg_start_backup('pgvigil standby', true, false)";
        String stopSql = major >= 15
                ? "SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS last_wal FROM pg_backup_stop(false)"
                : "SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS last_wal FROM pg_stop_backup(false, false)";
        String sql = startSql;
        try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
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
            Matcher m = Pattern.compile("\\(file ([0-9A-F]{24})\\)").matcher(label);
            if (!m.find()) {
                throw new IllegalStateException("no start WAL file in the backup label of " + this + ":\n" + label);
            }
            BaseBackup.copyWal(dataDir.resolve("pg_wal"), target.resolve("pg_wal"), m.group(1), lastWal);
        } catch (SQLException e) {
            throw sqlFailure(sql, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + dataDir + " to " + target, e);
        }
    }

    /** Turns a copied data directory into a standby of {@link #primary}. */
    private void configureStandby() {
        String conninfo = "host=" + HOST + " port=" + primary.port() + " user=" + SUPERUSER + " password=" + password
                + " application_name=" + standbyName;
        StringBuilder conf = new StringBuilder("\n# --- pgvigil testkit: standby ---\n")
                .append("unix_socket_directories = ").append(quoteLiteral(serverDir.toString())).append('\n')
                .append("hot_standby = on\n")
                .append("wal_receiver_status_interval = '1s'\n");
        StringBuilder auto = new StringBuilder("\n# pgvigil testkit: standby of ").append(primary).append('\n')
                .append("primary_conninfo = ").append(quoteLiteral(conninfo)).append('\n');
        if (slotName != null) {
            auto.append("primary_slot_name = ").append(quoteLiteral(slotName)).append('\n');
        }
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("postgresql.auto.conf"), auto, StandardOpenOption.APPEND,
                    StandardOpenOption.CREATE);
            BaseBackup.writePrivateFile(dataDir.resolve("standby.signal"), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the standby in " + dataDir, e);
        }
    }

    /**
     * Waits until this standby's WAL receiver streams and has received WAL from the primary (every column of
     * {@code pg_stat_wal_receiver} but {@code written_lsn} is set), and the primary reports the standby streaming with a
     * replay position. An idle primary sends no WAL to a standby that starts where the copied WAL ends, so the primary
     * is nudged into writing a commit record.
     */
    private void awaitStreaming(Duration timeout) {
        poll(this + " streaming from " + primary, timeout, () -> {
            try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement();
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

    /** A condition to wait for: returns null when met, else what is still missing. */
    @FunctionalInterface
    private interface Condition {
        String missing() throws SQLException;
    }

    private void poll(String what, Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
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
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + ": " + missing + logTail());
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
        Exec.Result r = pgCtl(List.of("stop", "-w", "-t", "60", "-m", "fast"));
        running = false;
        if (!r.ok()) {
            throw new IllegalStateException("cannot stop " + this + ": " + r.describe() + logTail());
        }
    }

    /** Starts a stopped private server again on the same port, or restarts a running one. */
    public synchronized void restart() {
        requirePrivate("restart");
        if (removed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (running) {
            Exec.Result r = pgCtl(List.of("restart", "-w", "-t", String.valueOf(START_WAIT_SECONDS), "-m", "fast",
                    "-o", "-p " + port));
            if (!r.ok()) {
                running = isPostmasterAlive();
                throw new IllegalStateException("cannot restart " + this + ": " + r.describe() + logTail());
            }
        } else {
            Exec.Result r = startOn(port);
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

    /** Immediate stop, then delete the server directory. Idempotent. */
    private synchronized void remove() {
        if (removed) {
            return;
        }
        removed = true;
        try {
            if (running || Files.exists(dataDir.resolve("postmaster.pid"))) {
                Exec.Result r = pgCtl(List.of("stop", "-w", "-t", "30", "-m", "immediate"));
                if (!r.ok() && Files.exists(dataDir.resolve("postmaster.pid"))) {
                    killPostmaster(dataDir);
                }
            }
            running = false;
            Distributions.deleteRecursively(serverDir);
            if (primary != null && slotCreatedHere && !exiting) {
                primary.dropSlotQuietly(slotName);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot clean up " + this + " in " + serverDir, e);
        } finally {
            LIVE.remove(this);
        }
    }

    private void initdb() {
        Path pwFile = serverDir.resolve("pwfile");
        try {
            Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runAs.handOver(serverDir);
        List<String> cmd = List.of(bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER,
                "--pwfile=" + pwFile, "--auth-host=scram-sha-256", "--auth-local=trust",
                "-E", "UTF8", "--locale=C", "-N");
        Exec.Result r = Exec.run(runAs.wrap(cmd), serverDir, INITDB_TIMEOUT);
        try {
            Files.deleteIfExists(pwFile);
        } catch (IOException ignored) {
            // inside a private directory; removed with it
        }
        if (!r.ok()) {
            throw new IllegalStateException("initdb for PostgreSQL " + version + " failed (" + runAs + "): "
                    + r.describe());
        }
    }

    private void configure() {
        boolean pgss = Files.exists(installation.resolve("lib/postgresql/pg_stat_statements.so"))
                || Files.exists(installation.resolve("lib/pg_stat_statements.so"));
        StringBuilder conf = new StringBuilder("\n# --- pgvigil testkit ---\n")
                .append("listen_addresses = '").append(HOST).append("'\n")
                .append("unix_socket_directories = ").append(quoteLiteral(serverDir.toString())).append('\n')
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
        String hba = """
                # pgvigil testkit
                local   all             all                     trust
                host    all             all     127.0.0.1/32    scram-sha-256
                host    all             all     ::1/128         scram-sha-256
                local   replication     all                     trust
                host    replication     all     127.0.0.1/32    scram-sha-256
                host    replication     all     ::1/128         scram-sha-256
                """;
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("pg_hba.conf"), hba, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure " + dataDir, e);
        }
    }

    private synchronized void startWithFreePort() {
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int candidate = freePort();
            Exec.Result r = startOn(candidate);
            if (r.ok()) {
                port = candidate;
                running = true;
                return;
            }
            String tail = logTail();
            failures.add(r.describe() + tail);
            if (isPostmasterAlive()) {
                killPostmaster(dataDir);
            }
            boolean portClash = tail.contains("could not bind") || tail.contains("Address already in use")
                    || tail.contains("could not create any TCP/IP sockets");
            if (!portClash) {
                break;
            }
            LOG.log(Level.INFO, "port {0,number,#} was taken; trying another", candidate);
        }
        throw new IllegalStateException("PostgreSQL " + version + " (" + runAs + ") did not start:\n"
                + String.join("\n---\n", failures));
    }

    private Exec.Result startOn(int candidate) {
        return pgCtl(List.of("start", "-w", "-t", String.valueOf(START_WAIT_SECONDS), "-l", logFile.toString(),
                "-o", "-p " + candidate));
    }

    private Exec.Result pgCtl(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(bin("pg_ctl"), "-D", dataDir.toString()));
        cmd.addAll(args);
        return Exec.run(runAs.wrap(cmd), serverDir, Duration.ofSeconds(START_WAIT_SECONDS).plus(STOP_TIMEOUT));
    }

    private void checkLogin() {
        try (Connection c = connectAsSuperuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            int num = rs.getInt(1);
            if (num / 10000 != major) {
                throw new IllegalStateException("expected PostgreSQL " + major + " but the server reports " + num);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL " + version + " started but the superuser cannot log in over"
                    + " TCP [" + e.getSQLState() + "]: " + e.getMessage() + logTail(), e);
        }
    }

    private boolean isPostmasterAlive() {
        return postmasterPid(dataDir).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    private String bin(String program) {
        return installation.resolve("bin").resolve(program).toString();
    }

    /** The last lines of the server log, prefixed for appending to an error message. */
    private String logTail() {
        try {
            if (!Files.exists(logFile)) {
                return "\n(no server log at " + logFile + ")";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            int from = Math.max(0, lines.size() - 40);
            return "\n--- tail of " + logFile + " ---\n" + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "\n(cannot read server log " + logFile + ": " + e + ")";
        }
    }

    // ------------------------------------------------------------------------------------------------ JVM-wide

    private static void installShutdownHook() {
        synchronized (HOOK_LOCK) {
            if (hookInstalled) {
                return;
            }
            hookInstalled = true;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("pgvigil-testkit-shutdown").unstarted(() -> {
            exiting = true;
            List<Thread> stoppers = new ArrayList<>();
            for (PgServer s : List.copyOf(LIVE)) {
                stoppers.add(Thread.ofPlatform().name("pgvigil-stop-" + s.port).start(s::remove));
            }
            for (Thread t : stoppers) {
                try {
                    t.join(Duration.ofSeconds(40));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }));
    }

    /**
     * Removes server directories whose JVM is gone (killed before its shutdown hook ran), stopping their postmaster.
     */
    private static void sweepStaleOnce(Path base) {
        synchronized (HOOK_LOCK) {
            if (staleSwept) {
                return;
            }
            staleSwept = true;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "data-*")) {
            for (Path dir : dirs) {
                if (ownerAlive(dir)) {
                    continue;
                }
                LOG.log(Level.INFO, "removing stale PostgreSQL directory {0}", dir);
                killPostmaster(dir.resolve("data"));
                Distributions.deleteRecursively(dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot sweep stale server directories in " + base, e);
        }
    }

    private static boolean ownerAlive(Path dir) throws IOException {
        Path pidFile = dir.resolve(OWNER_PID_FILE);
        if (!Files.exists(pidFile)) {
            // Being created right now, or a crash between mkdir and writing the pid: only old ones are stale.
            FileTime modified = Files.getLastModifiedTime(dir);
            return modified.toInstant().isAfter(Instant.now().minus(Duration.ofMinutes(10)));
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<Long> postmasterPid(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Immediate shutdown by signal (SIGQUIT, then SIGKILL) of the postmaster of {@code dataDir}, if it runs. */
    private static void killPostmaster(Path dataDir) {
        Optional<ProcessHandle> pm = postmasterPid(dataDir).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(true));
        if (pm.isEmpty()) {
            return;
        }
        ProcessHandle h = pm.get();
        Exec.run(List.of("kill", "-QUIT", String.valueOf(h.pid())), null, Duration.ofSeconds(5));
        try {
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /** Starts one shared server once; remembers a failure. */
    private static final class SharedSlot {
        private final String what;
        private final Supplier<PgServer> starter;
        private PgServer server;
        private RuntimeException failure;

        SharedSlot(String what, Supplier<PgServer> starter) {
            this.what = what;
            this.starter = starter;
        }

        synchronized PgServer get() {
            if (server != null) {
                return server;
            }
            if (failure != null) {
                throw new IllegalStateException("the shared " + what + " failed to start earlier in this JVM", failure);
            }
            try {
                server = starter.get();
                return server;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }
}
