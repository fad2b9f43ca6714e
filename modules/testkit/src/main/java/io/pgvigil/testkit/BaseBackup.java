package io.pgvigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file part of a base backup (what pg_basebackup does on the server side, for a server on this machine): copying an
 * open data directory and the WAL of the backup. The backup itself is started and stopped by {@link PgServer}.
 */
final class BaseBackup {

    /** Directories whose contents a base backup leaves out (as pg_basebackup does); pg_wal is copied afterwards. */
    private static final Set<String> EMPTY_IN_BACKUP = Set.of("pg_wal", "pg_dynshmem", "pg_notify", "pg_replslot",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    /** Files a base backup leaves out. */
    private static final Set<String> NOT_IN_BACKUP = Set.of("postmaster.pid", "postmaster.opts", "pg_internal.init",
            "backup_label", "backup_label.old", "tablespace_map", "standby.signal", "recovery.signal",
            "current_logfiles");

    private BaseBackup() {
    }

    /**
     * Copies the data directory {@code source} of a running server into {@code target} (created), leaving out what
     * pg_basebackup leaves out. Files that disappear during the copy are skipped; tablespaces are refused.
     */
    static void copyDataDirectory(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                Path rel = source.relativize(dir);
                if (dir.getFileName().toString().startsWith("pgsql_tmp")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path copy = target.resolve(rel.toString());
                Files.createDirectories(copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
                if (EMPTY_IN_BACKUP.contains(rel.toString())) {
                    if (rel.toString().equals("pg_wal")) {
                        Files.createDirectories(target.resolve("pg_wal/archive_status"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (a.isSymbolicLink()) {
                    throw new IOException("tablespaces (symbolic links such as " + file + ") are not supported");
                }
                if (a.isRegularFile() && !NOT_IN_BACKUP.contains(file.getFileName().toString())) {
                    copyIfStillThere(file, target.resolve(source.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed while we copied (a temporary file)
                }
                throw e;
            }
        });
    }

    /** Copies the WAL segments from {@code first} to {@code last} (names compare in WAL order) and timeline history. */
    static void copyWal(Path source, Path target, String first, String last) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(source)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean segment = name.matches("[0-9A-F]{24}") && name.compareTo(first) >= 0
                        && (last == null || name.compareTo(last) <= 0);
                if (segment || name.endsWith(".history")) {
                    copyIfStillThere(f, target.resolve(name));
                }
            }
        }
    }

    private static void copyIfStillThere(Path from, Path to) throws IOException {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(to); // removed while we copied
        }
    }

    static void writePrivateFile(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
