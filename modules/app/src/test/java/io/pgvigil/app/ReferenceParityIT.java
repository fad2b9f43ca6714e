package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An existing postgres_exporter command line and queries file, run unchanged by the reference exporter (Debian's
 * postgres_exporter 0.17.1, fetched by {@code scripts/fetch-reference}; skipped when it is not there) and by the
 * jlinked image against the same PostgreSQL: the same families, types, help texts and label names on
 * {@code /metrics}, and the same series for the families whose labels do not depend on the moment.
 *
 * <p>The differences that remain are listed here and in docs/configuration.md ("Compared with the reference"): those
 * where 0.17.1 is older than v0.20.1, which pgvigil follows, and those where pgvigil differs on purpose.
 * {@code scripts/compare-reference} runs this test and prints each comparison.
 */
class ReferenceParityIT {
    private static final String ROLE = "pgvigil_parity";
    private static final String PASSWORD = "Par1ty-pw";
    private static final Path REFERENCE = Path.of(System.getProperty("pgvigil.reference", "missing"));
    private static final Path DEBIAN_QUERIES = Path.of(System.getProperty("pgvigil.debian.queries", "missing"));
    /** Families that v0.20.0 moved from the legacy maps into collectors, which lost the {@code server} label there. */
    private static final List<String> MOVED_IN_0_20 =
            List.of("pg_settings_", "pg_stat_activity_", "pg_stat_archiver_", "pg_stat_replication_", "pg_replication_slots_");
    /** Differences where the reference 0.17.1 is older than v0.20.1 (shared/reference/postgres_exporter.md). */
    private static final Set<String> OLDER_REFERENCE = Set.of(
            "ONLY-REFERENCE pg_stat_user_tables_size_bytes",       // replaced in v0.18.0 by index/table sizes
            "ONLY-PGVIGIL pg_stat_user_tables_index_size_bytes",
            "ONLY-PGVIGIL pg_stat_user_tables_table_size_bytes",
            "ONLY-REFERENCE pg_stat_archiver_last_archive_age");   // v0.20 omits it while nothing was ever archived
    /** The exporters' own families: the Go and JVM runtimes differ, pgvigil has more. */
    private static final Predicate<String> COMPARED = name -> name.startsWith("pg_") || name.startsWith("postgres_exporter_");

    /**
     * The families of Debian's file (and pg_static, pg_up, pg_database_*) whose label values do not depend on the
     * moment; pg_process_idle and pg_stat_statements do (sessions, an extension that is not there).
     */
    private static final Predicate<String> DEBIAN_DETERMINISTIC =
            name -> name.startsWith("pg_stat_user_tables_") || name.startsWith("pg_statio_user_tables_")
                    || name.startsWith("pg_postmaster_") || name.startsWith("pg_replication_lag")
                    || name.equals("pg_static") || name.equals("pg_up") || name.startsWith("pg_database_");

    private static MonitoredServer mon;

    @BeforeAll
    static void databases() {
        assumeTrue(Files.isExecutable(REFERENCE), "no reference exporter at " + REFERENCE + " (scripts/fetch-reference)");
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        PgServer pg = mon.server();
        for (String db : List.of("parity_main", "parity_a", "parity_b", "parity_skip")) {
            pg.createDatabase(db, null);
            pg.execute(db, "CREATE TABLE IF NOT EXISTS parity_t (id int); INSERT INTO parity_t VALUES (1); ANALYZE parity_t");
        }
    }

    /** The reference's labels as v0.20.1 has them: no {@code server} on the families moved into collectors. */
    private static Map<String, String> asInV020(String family, Map<String, String> labels) {
        if (MOVED_IN_0_20.stream().noneMatch(family::startsWith)) {
            return labels;
        }
        Map<String, String> out = new HashMap<>(labels);
        out.remove("server");
        return out;
    }

    @Test
    void debianQueriesFileWithTheDefaultCollectors(@TempDir Path dir) throws Exception {
        Answers a = scrapeBoth(dir, "--extend.query-path=" + DEBIAN_QUERIES);
        assertOnlyKnownDifferences("debian-queries", a, DEBIAN_DETERMINISTIC.or(name -> name.startsWith("pg_exporter_")));
        // the file repeats pg_stat_user_tables_* of the collector: both exporters report both, in one family
        assertThat(a.pgvigil().body()).containsPattern("\npg_stat_user_tables_seq_scan\\{datname=\"parity_main\",relname=\"parity_t\",schemaname=\"public\"\\} ")
                .containsPattern("\npg_stat_user_tables_seq_scan\\{datname=\"parity_main\",relname=\"parity_t\",schemaname=\"public\",server=\"127\\.0\\.0\\.1:\\d+\"\\} ");
    }

    /** The same file on {@code /probe}, with an auth module of {@code --config.file}: upstream runs the file there too. */
    @Test
    void debianQueriesFileOnProbe(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  m:
                    type: userpass
                    userpass: {username: %s, password: %s}
                    options: {sslmode: disable}
                """.formatted(ROLE, PASSWORD));
        Answers a = askBoth(dir, ImageProcess.probePath(mon.target("parity_main"), "m"),
                               "--extend.query-path=" + DEBIAN_QUERIES, "--config.file=" + config);
        assertOnlyKnownDifferences("debian-queries on /probe", a, DEBIAN_DETERMINISTIC);
        assertThat(a.pgvigil().body()).containsPattern("\npg_stat_user_tables_seq_scan\\{datname=\"parity_main\",relname=\"parity_t\",schemaname=\"public\",server=\"127\\.0\\.0\\.1:\\d+\"\\} ");
    }

    /** The example file of Debian's 0.17.1 package itself: two comment lines, which both exporters load as no queries. */
    @Test
    void debian017ExampleFileOfOnlyComments(@TempDir Path dir) throws Exception {
        Path example = REFERENCE.getParent().getParent().resolve("share/doc/prometheus-postgres-exporter/examples/queries.yaml");
        assumeTrue(Files.isRegularFile(example), "no " + example);
        Answers a = scrapeBoth(dir, "--extend.query-path=" + example);
        assertOnlyKnownDifferences("debian 0.17.1 example file", a,
                                   name -> name.equals("pg_static") || name.equals("pg_up") || name.startsWith("pg_exporter_"));
        assertThat(a.pgvigil().body()).contains("pg_exporter_user_queries_load_error{filename=\"" + example + "\",hashsum=\"")
                .contains("\npg_exporter_last_scrape_error 0\n");
    }

    @Test
    void autoDiscoveryWithIncludeExcludeAndPrefix(@TempDir Path dir) throws Exception {
        Path queries = dir.resolve("queries.yaml");
        Files.writeString(queries, """
                pg_parity_db:
                  query: "SELECT current_database() AS datname, 1 AS one, 2.5 AS two, 4 AS extra"
                  metrics:
                    - datname:
                        usage: "LABEL"
                        description: "Database"
                    - one:
                        usage: "GAUGE"
                        description: "A gauge in every database"
                    - two:
                        usage: "COUNTER"
                        description: "A counter in every database"
                pg_parity_master:
                  query: "SELECT 3 AS three"
                  master: true
                  metrics:
                    - three:
                        usage: "GAUGE"
                        description: "Only on the data source"
                """);
        Answers a = scrapeBoth(dir, "--extend.query-path=" + queries, "--auto-discover-databases",
                               "--include-databases=parity_a,parity_b,parity_skip", "--exclude-databases=parity_skip",
                               "--metric-prefix=pg");
        assertOnlyKnownDifferences("auto-discovery", a, name -> name.startsWith("pg_parity_") || name.equals("pg_static")
                                                               || name.equals("pg_up") || name.startsWith("pg_database_")
                                                               || name.startsWith("pg_exporter_"));
        String server = "127\\.0\\.0\\.1:" + mon.server().port();
        for (String db : List.of("parity_main", "parity_a", "parity_b")) {
            assertThat(a.pgvigil().body()).containsPattern("\npg_parity_db_one\\{datname=\"" + db + "\",server=\"" + server + "\"\\} 1\n");
        }
        assertThat(a.pgvigil().body()).doesNotContain("pg_parity_db_one{datname=\"parity_skip\"", "pg_parity_db_one{datname=\"postgres\"")
                .containsPattern("\npg_parity_master_three\\{server=\"" + server + "\"\\} 3\n");
    }

    /**
     * Debian's example file with auto-discovery: its namespaces that are not master-only give the same series in
     * every database (same labels, same {@code server}), which the reference refuses with HTTP 500 on every scrape;
     * pgvigil keeps the first of each and answers.
     */
    @Test
    void debianQueriesFileWithAutoDiscoveryBreaksTheReferenceNotPgvigil(@TempDir Path dir) throws Exception {
        Answers a = scrapeBoth(dir, "--extend.query-path=" + DEBIAN_QUERIES, "--auto-discover-databases",
                               "--include-databases=parity_a,parity_b");
        assertThat(a.reference().statusCode()).isEqualTo(500);
        assertThat(a.reference().body()).contains("was collected before with the same name and label values");
        assertThat(a.pgvigil().statusCode()).isEqualTo(200);
        StrictExposition.parse(a.pgvigil().body()); // no duplicate series
        assertThat(a.pgvigil().body()).contains("pg_statio_user_tables_heap_blks_read{datname=\"parity_a\"",
                                                "pg_statio_user_tables_heap_blks_read{datname=\"parity_b\"");
    }

    private record Answers(HttpResponse<String> reference, HttpResponse<String> pgvigil) {
    }

    private static Answers scrapeBoth(Path dir, String... flags) throws Exception {
        return askBoth(dir, "/metrics", flags);
    }

    /** Runs both exporters with the same flags and DATA_SOURCE_NAME, one after the other, each asked twice for {@code path}. */
    private static Answers askBoth(Path dir, String path, String... flags) throws Exception {
        // pg_process_idle reports idle sessions only: one stays open for both exporters' scrapes
        try (Connection idle = mon.server().connectAsSuperuser("postgres")) {
            return scrapeBothWhileIdle(dir, path, flags);
        }
    }

    private static Answers scrapeBothWhileIdle(Path dir, String path, String... flags) throws Exception {
        Map<String, String> env = Map.of("DATA_SOURCE_NAME", mon.dsn("parity_main"));
        HttpResponse<String> ref;
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(REFERENCE.toString(), "--web.listen-address=127.0.0.1:" + port));
        command.addAll(List.of(flags));
        Path log = dir.resolve("reference.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            awaitListening(p, log);
            get(port, path);
            ref = get(port, path);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        try (ImageProcess image = ImageProcess.start(dir, env, flags)) {
            image.get(path);
            return new Answers(ref, image.get(path));
        }
    }

    private static void awaitListening(Process p, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 600 && p.isAlive(); i++) {
            if (Files.readString(log).contains("msg=\"Listening on\"")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the reference did not start:\n" + Files.readString(log));
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                                       .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Both answered 200, and every difference between them (printed) is a known one. */
    private static void assertOnlyKnownDifferences(String name, Answers a, Predicate<String> deterministic) {
        assertThat(a.reference().statusCode()).as(a.reference().body()).isEqualTo(200);
        assertThat(a.pgvigil().statusCode()).as(a.pgvigil().body()).isEqualTo(200);
        List<String> unknown = report(name, ExpositionDiff.diff(a.reference().body(), a.pgvigil().body(), COMPARED, deterministic,
                                                                ReferenceParityIT::asInV020));
        assertThat(unknown).as("differences other than the known ones").isEmpty();
    }

    /** Prints every difference (known ones marked) and returns the unknown ones. */
    private static List<String> report(String name, List<String> diff) {
        StringBuilder b = new StringBuilder("reference parity, " + name + ": " + diff.size() + " difference(s)\n");
        diff.forEach(d -> b.append(OLDER_REFERENCE.contains(d) ? "  known (0.17.1 older than v0.20.1): " : "  NEW: ").append(d).append('\n'));
        System.out.print(b);
        return diff.stream().filter(d -> !OLDER_REFERENCE.contains(d)).toList();
    }
}
