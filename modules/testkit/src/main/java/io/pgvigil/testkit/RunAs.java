package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How the PostgreSQL programs are run. PostgreSQL refuses to run as root, so as root they run either inside a fresh
 * user namespace ({@code unshare -U}, where the process sees itself as the overflow uid) or as user {@code nobody}
 * ({@code runuser -u nobody --}). As any other user they run directly.
 *
 * <p>The system property {@code pgvigil.pg.runas} ({@code direct}, {@code unshare}, {@code runuser}) forces a mode.
 */
enum RunAs {
    /** Not root: run the programs as they are. */
    DIRECT,
    /** Root, with user namespaces: {@code unshare -U <cmd>}. */
    UNSHARE,
    /** Root, without user namespaces: {@code runuser -u nobody -- <cmd>}, server directories owned by nobody. */
    RUNUSER;

    static final String UNPRIVILEGED_USER = "nobody";
    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static volatile RunAs detected;

    /** The mode for this JVM, detected once. */
    static RunAs current() {
        RunAs mode = detected;
        if (mode == null) {
            synchronized (RunAs.class) {
                mode = detected;
                if (mode == null) {
                    mode = detect();
                    detected = mode;
                }
            }
        }
        return mode;
    }

    private static RunAs detect() {
        String forced = System.getProperty("pgvigil.pg.runas", "").strip();
        if (!forced.isEmpty()) {
            RunAs mode = RunAs.valueOf(forced.toUpperCase(Locale.ROOT));
            LOG.log(Level.INFO, "PostgreSQL run mode {0} (forced by -Dpgvigil.pg.runas)", mode);
            return mode;
        }
        if (!isRoot()) {
            LOG.log(Level.INFO, "PostgreSQL run mode DIRECT (running as {0})", System.getProperty("user.name"));
            return DIRECT;
        }
        Exec.Result userns = Exec.run(List.of("unshare", "-U", "id", "-u"), null, PROBE_TIMEOUT);
        if (userns.ok() && !userns.output().strip().equals("0") && !userns.output().isBlank()) {
            LOG.log(Level.INFO, "PostgreSQL run mode UNSHARE: running as root, programs run via unshare -U (uid {0})",
                    userns.output().strip());
            return UNSHARE;
        }
        Exec.Result runuser = Exec.run(List.of("runuser", "-u", UNPRIVILEGED_USER, "--", "id", "-u"), null,
                PROBE_TIMEOUT);
        if (runuser.ok()) {
            LOG.log(Level.INFO, "PostgreSQL run mode RUNUSER: running as root and unshare -U failed ({0});"
                    + " programs run via runuser -u nobody", userns.describe().replace('\n', ' '));
            return RUNUSER;
        }
        throw new IllegalStateException("Running as root, and PostgreSQL refuses to run as root, but neither"
                + " user namespaces nor runuser work here.\n  " + userns.describe() + "\n  " + runuser.describe());
    }

    private static boolean isRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        Exec.Result id = Exec.run(List.of("id", "-u"), null, PROBE_TIMEOUT);
        return id.ok() && id.output().strip().equals("0");
    }

    /** The command line that runs {@code command} in this mode. */
    List<String> wrap(List<String> command) {
        List<String> out = new ArrayList<>();
        switch (this) {
            case DIRECT -> { }
            case UNSHARE -> out.addAll(List.of("unshare", "-U"));
            case RUNUSER -> out.addAll(List.of("runuser", "-u", UNPRIVILEGED_USER, "--"));
        }
        out.addAll(command);
        return out;
    }

    /** Gives {@code path} (recursively) to the user the server runs as, where that is not the JVM's user. */
    void handOver(Path path) {
        if (this != RUNUSER) {
            return;
        }
        try {
            UserPrincipal nobody = path.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(UNPRIVILEGED_USER);
            try (Stream<Path> all = Files.walk(path)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Files.setOwner(p, nobody);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot chown " + path + " to " + UNPRIVILEGED_USER, e);
        }
    }

    /** Makes sure the server's user can traverse {@code dir} (needed for the directories above a data dir). */
    void allowTraverse(Path dir) {
        if (this != RUNUSER) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(dir));
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
                Files.setPosixFilePermissions(dir, perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "cannot make {0} traversable for {1}: {2}", dir, UNPRIVILEGED_USER, e.toString());
        }
    }
}
