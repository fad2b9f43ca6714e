package io.pgvigil.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built: version and git revision, filtered into {@code build.properties} by Maven.
 *
 * @param version  the project version
 * @param revision the git revision, {@code unknown} when built outside a checkout
 * @param branch   the git branch, {@code unknown} when not known
 */
record BuildInfo(String version, String revision, String branch) {

    static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Keep the defaults below.
        }
        return new BuildInfo(clean(p.getProperty("version")), clean(p.getProperty("revision")), clean(p.getProperty("branch")));
    }

    private static String clean(String s) {
        return s == null || s.isBlank() || s.startsWith("${") ? "unknown" : s.trim();
    }

    /** @return the line {@code --version} prints */
    String describe() {
        return "pgvigil, version " + version + " (branch: " + branch + ", revision: " + revision + ")\n"
               + "  java:     " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown") + ")\n"
               + "  platform: " + System.getProperty("os.name", "unknown").toLowerCase(java.util.Locale.ROOT) + "/"
               + goArch();
    }

    /** @return the architecture as Go names it, for label compatibility */
    static String goArch() {
        String arch = System.getProperty("os.arch", "unknown");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }
}
