package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM-wide side of the servers: their private directories, what killed JVMs left behind, and stopping every
 * server still live when the JVM exits.
 */
final class ServerDirectories {

    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final String OWNER_PID_FILE = "owner.pid";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PgServer> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static boolean hookInstalled;
    private static boolean staleSwept;
    private static volatile boolean exiting;

    private ServerDirectories() {
    }

    /**
     * A new private directory (mode 0700, with this JVM's pid in {@code owner.pid}) for one server under {@code base},
     * after removing what dead test runs left there (once per JVM) and making sure this JVM's servers are stopped when
     * it exits.
     */
    static Path create(Path base) {
        sweepStaleOnce(base);
        installShutdownHook();
        try {
            byte[] id = new byte[6];
            RANDOM.nextBytes(id);
            Path serverDir = base.resolve("data-" + HexFormat.of().formatHex(id));
            Files.createDirectory(serverDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.writeString(serverDir.resolve(OWNER_PID_FILE), ProcessHandle.current().pid() + "\n");
            return serverDir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a server directory under " + base, e);
        }
    }

    /** Registers a server the shutdown hook must stop. */
    static void live(PgServer server) {
        LIVE.add(server);
    }

    /** Forgets a server that was removed. */
    static void gone(PgServer server) {
        LIVE.remove(server);
    }

    /** Whether the JVM is exiting (the shutdown hook runs). */
    static boolean exiting() {
        return exiting;
    }

    /** A random password of 24 letters and digits, without look-alikes. */
    static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static void installShutdownHook() {
        synchronized (LOCK) {
            if (hookInstalled) {
                return;
            }
            hookInstalled = true;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("pgvigil-testkit-shutdown").unstarted(() -> {
            exiting = true;
            List<Thread> stoppers = new ArrayList<>();
            for (PgServer s : List.copyOf(LIVE)) {
                stoppers.add(Thread.ofPlatform().name("pgvigil-stop-" + s.socketDirectory().getFileName())
                        .start(s::remove));
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
        synchronized (LOCK) {
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
                Postmaster.kill(dir.resolve("data"));
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
}
