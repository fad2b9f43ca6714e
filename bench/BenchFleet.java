import io.pgvigil.testkit.PgServer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway PostgreSQL fleet for scripts/bench-fleet: CLUSTERS private testkit servers of one major (SCRAM on
 * 127.0.0.1, each on its own port, run as root through the testkit's user namespace), each one small
 * (shared_buffers 16MB, small WAL, MAX_CONNECTIONS), with the monitoring role {@value #ROLE} (pg_monitor) and
 * DATABASES databases bench_001, bench_002, ... Started PARALLEL at a time. Prints one line per cluster
 *   READY index=I port=P version=V postmaster=PID datadir=D
 * then "ALL READY", and from then on appends "EPOCH_NS INDEX BACKENDS" to SAMPLES_FILE every SAMPLE_MS: the client
 * backends of the monitoring role on each cluster (what the exporter under test holds), read over one kept
 * superuser session per cluster. Runs until SIGTERM/SIGINT or until the process PARENT_PID is gone, when the testkit
 * stops every server and deletes its files.
 *
 *   java -cp testkit.jar:postgresql.jar bench/BenchFleet.java MAJOR CLUSTERS DATABASES MAX_CONNECTIONS SAMPLES_FILE
 *        PARENT_PID [PARALLEL] [SAMPLE_MS]
 */
public final class BenchFleet {
    static final String ROLE = "fleet_monitor";
    static final String PASSWORD = "fleet-password";
    private static volatile boolean stopping;

    private BenchFleet() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: BenchFleet MAJOR CLUSTERS DATABASES MAX_CONNECTIONS SAMPLES_FILE PARENT_PID [PARALLEL] [SAMPLE_MS]");
            System.exit(2);
        }
        String major = args[0];
        int clusters = Integer.parseInt(args[1]);
        int databases = Integer.parseInt(args[2]);
        int maxConnections = Integer.parseInt(args[3]);
        Path samples = Path.of(args[4]);
        long parent = Long.parseLong(args[5]);
        int parallel = args.length > 6 ? Integer.parseInt(args[6]) : Math.max(2, Runtime.getRuntime().availableProcessors());
        long sampleMs = args.length > 7 ? Long.parseLong(args[7]) : 2000;
        if (clusters < 1 || clusters > 200 || databases < 0 || databases > 999 || maxConnections < 10 || parallel < 1
                || sampleMs < 100) {
            throw new IllegalArgumentException("clusters 1..200, databases 0..999, max_connections >= 10, parallel >= 1, sample >= 100 ms");
        }
        watchParent(parent);

        List<PgServer> fleet = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<PgServer>> starting = new ArrayList<>();
            for (int i = 0; i < clusters; i++) {
                starting.add(pool.submit(() -> startOne(major, databases, maxConnections)));
            }
            for (int i = 0; i < clusters; i++) {
                PgServer pg;
                try {
                    pg = starting.get(i).get();
                } catch (ExecutionException e) {
                    // The testkit's shutdown hook stops and removes every server started so far, and those starting.
                    System.err.println("BenchFleet: cluster " + i + " did not start: " + e.getCause());
                    System.exit(1);
                    return;
                }
                fleet.add(pg);
                String pid = Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid")).getFirst().strip();
                System.out.println("READY index=" + i + " port=" + pg.port() + " version=" + pg.version()
                        + " postmaster=" + pid + " datadir=" + pg.dataDirectory());
            }
        }
        System.out.printf(Locale.ROOT, "ALL READY clusters=%d databases=%d seconds=%.1f%n", clusters, databases,
                (System.nanoTime() - t0) / 1e9);
        System.out.flush();
        sample(fleet, samples, sampleMs);
    }

    /** One small cluster with the monitoring role and its databases, ready for logins. */
    private static PgServer startOne(String major, int databases, int maxConnections) throws SQLException {
        PgServer pg = PgServer.start(major);
        // Small, as many clusters share one machine: settings take effect at the restart below.
        pg.execute("postgres", "ALTER SYSTEM SET max_connections = " + maxConnections);
        pg.execute("postgres", "ALTER SYSTEM SET shared_buffers = '16MB'");
        pg.execute("postgres", "ALTER SYSTEM SET max_wal_size = '64MB'");
        pg.execute("postgres", "ALTER SYSTEM SET min_wal_size = '32MB'");
        pg.execute("postgres", "ALTER SYSTEM SET maintenance_work_mem = '16MB'");
        pg.restart();
        pg.createRole(ROLE, PASSWORD, "IN ROLE pg_monitor");
        try (Connection c = pg.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            for (int d = 1; d <= databases; d++) {
                st.execute(String.format(Locale.ROOT, "CREATE DATABASE bench_%03d", d));
            }
        }
        return pg;
    }

    /** Appends the monitoring role's client backends per cluster to {@code file} every {@code everyMs}, forever. */
    private static void sample(List<PgServer> fleet, Path file, long everyMs) throws Exception {
        List<Connection> sessions = new ArrayList<>();
        for (PgServer pg : fleet) {
            sessions.add(pg.connectAsSuperuser("postgres"));
        }
        // The testkit's shutdown hook stops the servers under this loop: say nothing about the errors that follow.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping = true));
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = '" + ROLE + "'";
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            while (true) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(everyMs);
                for (int i = 0; i < sessions.size(); i++) {
                    try (Statement st = sessions.get(i).createStatement(); ResultSet rs = st.executeQuery(sql)) {
                        rs.next();
                        Instant now = Instant.now();
                        out.printf(Locale.ROOT, "%d%09d %d %d%n", now.getEpochSecond(), now.getNano(), i, rs.getLong(1));
                    } catch (SQLException e) {
                        if (stopping) {
                            return;
                        }
                        System.err.println("BenchFleet: cannot sample cluster " + i + ": " + e.getMessage());
                    }
                }
                out.flush();
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + file, e);
        }
    }

    /** Exits (running the testkit's hook, which removes every server) when the script that started us is gone. */
    private static void watchParent(long pid) {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("BenchFleet: parent process " + pid + " is gone; stopping the fleet");
            System.exit(1);
        });
    }
}
