package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The programs and the postmaster process of one server directory: {@code initdb}, {@code pg_ctl} start, stop and
 * restart (run the way {@link RunAs} says), the postmaster's pid and the server log. It holds no state of its own:
 * whether the server runs and on which port is {@link PgServer}'s to know.
 *
 * @param version      the full version of the binaries, e.g. {@code 17.5.0}
 * @param installation where the binaries are
 * @param runAs        how the programs run
 * @param serverDir    the server's private directory (data directory, log, socket)
 */
record Postmaster(String version, Path installation, RunAs runAs, Path serverDir) {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
    private static final int START_WAIT_SECONDS = 60;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int PORT_ATTEMPTS = 4;

    /** {@code data/} in the server directory. */
    Path dataDir() {
        return serverDir.resolve("data");
    }

    /** {@code postgres.log} in the server directory. */
    Path logFile() {
        return serverDir.resolve("postgres.log");
    }

    /** Creates the cluster in {@link #dataDir()}: superuser {@code superuser} with {@code password}, UTF8, locale C. */
    void initdb(String superuser, String password) {
        Path pwFile = serverDir.resolve("pwfile");
        try {
            Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runAs.handOver(serverDir);
        List<String> cmd = List.of(bin("initdb"), "-D", dataDir().toString(), "-U", superuser,
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

    /**
     * Starts the server on a free port of {@code host} and returns the port. A port taken between choosing and binding
     * it is retried with another one; any other failure throws with the tail of the server log.
     */
    int startOnFreePort(String host) {
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int candidate = freePort(host);
            Exec.Result r = startOn(candidate);
            if (r.ok()) {
                return candidate;
            }
            String tail = logTail();
            failures.add(r.describe() + tail);
            if (isAlive()) {
                kill(dataDir());
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

    /** {@code pg_ctl start} on {@code port}, waiting until the server accepts connections. */
    Exec.Result startOn(int port) {
        return pgCtl(List.of("start", "-w", "-t", String.valueOf(START_WAIT_SECONDS), "-l", logFile().toString(),
                "-o", "-p " + port));
    }

    /** {@code pg_ctl restart} (fast shutdown) on {@code port}. */
    Exec.Result restartOn(int port) {
        return pgCtl(List.of("restart", "-w", "-t", String.valueOf(START_WAIT_SECONDS), "-m", "fast",
                "-o", "-p " + port));
    }

    /** {@code pg_ctl stop} with a fast shutdown. */
    Exec.Result stopFast() {
        return pgCtl(List.of("stop", "-w", "-t", "60", "-m", "fast"));
    }

    /** Whether a {@code postmaster.pid} says a postmaster may still run in {@link #dataDir()}. */
    boolean hasPidFile() {
        return Files.exists(dataDir().resolve("postmaster.pid"));
    }

    /** Immediate shutdown with {@code pg_ctl}, and by signal should that fail while the postmaster still runs. */
    void stopImmediately() {
        Exec.Result r = pgCtl(List.of("stop", "-w", "-t", "30", "-m", "immediate"));
        if (!r.ok() && hasPidFile()) {
            kill(dataDir());
        }
    }

    boolean isAlive() {
        return pid(dataDir()).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The last lines of the server log, prefixed for appending to an error message. */
    String logTail() {
        Path logFile = logFile();
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

    /** Immediate shutdown by signal (SIGQUIT, then SIGKILL) of the postmaster of {@code dataDir}, if it runs. */
    static void kill(Path dataDir) {
        Optional<ProcessHandle> pm = pid(dataDir).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(true));
        if (pm.isEmpty()) {
            return;
        }
        ProcessHandle h = pm.get();
        Exec.run(List.of("kill", "-QUIT", String.valueOf(h.pid())), null, Duration.ofSeconds(5));
        try {
            h.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    private static Optional<Long> pid(Path dataDir) {
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

    private Exec.Result pgCtl(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(bin("pg_ctl"), "-D", dataDir().toString()));
        cmd.addAll(args);
        return Exec.run(runAs.wrap(cmd), serverDir, Duration.ofSeconds(START_WAIT_SECONDS).plus(STOP_TIMEOUT));
    }

    private String bin(String program) {
        return installation.resolve("bin").resolve(program).toString();
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }
}
