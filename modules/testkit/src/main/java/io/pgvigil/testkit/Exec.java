package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external command with its output captured in a temporary file (never a pipe). */
final class Exec {

    /** Outcome of a finished command. */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        String describe() {
            return String.join(" ", command) + " exited with " + exitCode
                    + (output.isBlank() ? "" : ":\n" + output.strip());
        }
    }

    private Exec() {
    }

    /**
     * Runs {@code command} in {@code workDir} (or the current directory when null) and waits at most {@code timeout}.
     * Output goes to a file rather than a pipe, so a daemon that inherits stdout/stderr (a postmaster) cannot make us
     * wait for an end of stream that never comes. A command that outlives the timeout is killed and reported with exit
     * code -1.
     */
    static Result run(List<String> command, Path workDir, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("pgvigil-exec-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().put("LC_ALL", "C");
            pb.environment().put("LANG", "C");
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Result(command, 127, "cannot start: " + e.getMessage());
            }
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
            }
            int code;
            if (done) {
                code = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                code = -1;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (!done) {
                text = text + "\n(killed after " + timeout.toSeconds() + " s)";
            }
            return new Result(List.copyOf(command), code, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** Like {@link #run} but throws when the command fails. */
    static Result check(List<String> command, Path workDir, Duration timeout) {
        Result r = run(command, workDir, timeout);
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
        return r;
    }
}
