package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Past one machine: two image processes behind one real Prometheus job that shards the targets found by
 * {@code /discovery} with {@code hashmod} on {@code __param_target} (docs/prometheus.md, "Past one machine"). Every
 * target is scraped by its shard's pgvigil only (each process's sessions, told apart by the module's
 * {@code application_name}, are on its shard's databases), Prometheus holds exactly one {@code pg_up} series per
 * target, and either process answers any target when probed directly (pgvigil keeps no per-target state that a
 * replica would lack). Then the other documented form: two Prometheus servers, each keeping its shard with
 * {@code keep} on the same hash and scraping its own pgvigil, each target scraped by exactly one of them.
 */
class PrometheusShardIT {
    private static final String PASSWORD = "Pa55-shard-prom";
    private static final int DATABASES = 8;

    /** Prometheus' hashmod: the MD5 of the value, its last 8 bytes as a big-endian unsigned integer, modulo n. */
    static int hashmod(String value, int modulus) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        return (int) Long.remainderUnsigned(ByteBuffer.wrap(md5, 8, 8).getLong(), modulus);
    }

    /** The config file of the pgvigil {@code name} (also its sessions' {@code application_name}): {@code module} lists {@code databases}. */
    private static Path config(Path dir, String name, String module, MonitoredServer mon, List<String> databases)
            throws Exception {
        Path file = dir.resolve(name + ".yml");
        Files.writeString(file, """
                auth_modules:
                  %s:
                    type: userpass
                    userpass: {username: prom_shard, password: %s}
                    options: {sslmode: disable, application_name: %s}
                    targets: ["%s"]
                    discovery: {databases: true, include: ["%s"]}
                """.formatted(module, PASSWORD, name, mon.target(), String.join("|", databases)));
        return file;
    }

    /**
     * The server's databases for the tests, created once: {@code names}, and their targets as {@code /discovery}
     * gives them, picked so that each shard gets half (the hash of 8 targets alone could put all in one, 1 run in
     * 128); {@code shards} holds each shard's targets.
     */
    private record Fleet(MonitoredServer mon, List<String> names, List<String> targets, List<Set<String>> shards) {
        static Fleet create() throws Exception {
            MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "prom_shard", PASSWORD);
            List<String> names = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            List<Set<String>> shards = List.of(new TreeSet<>(), new TreeSet<>());
            for (int i = 1; targets.size() < DATABASES; i++) {
                String target = mon.target("prom_shard_" + i);
                Set<String> shard = shards.get(hashmod(target, 2));
                if (shard.size() < DATABASES / 2) {
                    shard.add(target);
                    mon.server().createDatabase("prom_shard_" + i, null);
                    names.add("prom_shard_" + i);
                    targets.add(target);
                }
            }
            return new Fleet(mon, names, targets, shards);
        }

        /** {@return the database names of shard {@code n}, sorted} */
        List<String> databases(int n) {
            return shards.get(n).stream().map(target -> target.substring(target.indexOf('/') + 1)).sorted().toList();
        }
    }

    /**
     * The Prometheus config of docs/prometheus.md's "Several Prometheus servers, each with its shard" as the page
     * shows it (the first server's), made the config of shard {@code shard} scraping the pgvigil at {@code port}, with
     * a 2 s scrape interval.
     */
    private static String documentedKeepConfig(int shard, int port) throws Exception {
        String page = Files.readString(Path.of("").toAbsolutePath().resolve("../../docs/prometheus.md").normalize());
        int section = page.indexOf("**Several Prometheus servers, each with its shard.**");
        assertThat(section).as("the section in docs/prometheus.md").isNotNegative();
        int start = page.indexOf("```yaml\n", section) + "```yaml\n".length();
        String job = page.substring(start, page.indexOf("```", start));
        assertThat(job).contains("scrape_configs:", "action: hashmod", "action: keep", "auth_module=prod_db")
                .containsOnlyOnce("regex: \"0\"").contains("pgvigil-0.example.com:9187");
        return "global: {scrape_interval: 2s, scrape_timeout: 2s}\n"
                + job.replace("regex: \"0\"", "regex: \"" + shard + "\"")
                        .replace("pgvigil-0.example.com:9187", "127.0.0.1:" + port);
    }

    /** The databases {@code applicationName} has sessions on, sorted. */
    private static List<String> sessions(PgServer pg, String applicationName) {
        String list = pg.queryString("postgres", "SELECT coalesce(string_agg(DISTINCT datname, ',' ORDER BY datname), '')"
                + " FROM pg_stat_activity WHERE application_name = ? AND datname LIKE 'prom_shard_%'", applicationName);
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    private static Path binary;
    private static Fleet fleet;

    @BeforeAll
    static void prometheusAndDatabases() throws Exception {
        Optional<Path> found = PrometheusProcess.binary();
        assumeTrue(found.isPresent(), "no prometheus binary on the PATH or in .tools/");
        binary = found.get();
        fleet = Fleet.create();
    }

    @Test
    void eachTargetIsScrapedOnceByItsShardAndEitherReplicaAnswersAny(@TempDir Path dir) throws Exception {
        MonitoredServer mon = fleet.mon();
        PgServer pg = mon.server();
        List<String> targets = fleet.targets();
        List<String> names = fleet.names();
        try (ImageProcess a = ImageProcess.start(dir, Map.of(), "--config.file=" + config(dir, "pgvigil_shard_a", "mod_shard", mon, names));
             ImageProcess b = ImageProcess.start(dir, Map.of(), "--config.file=" + config(dir, "pgvigil_shard_b", "mod_shard", mon, names));
             PrometheusProcess prom = PrometheusProcess.start(binary, dir,
                     PrometheusProcess.discoveryJob("pg_shard", a.port(), "mod_shard") + """
                         relabel_configs:
                           - source_labels: [__param_target]
                             modulus: 2
                             target_label: __tmp_shard
                             action: hashmod
                           - source_labels: [__tmp_shard]
                             regex: "0"
                             target_label: __address__
                             replacement: 127.0.0.1:%d
                           - source_labels: [__tmp_shard]
                             regex: "1"
                             target_label: __address__
                             replacement: 127.0.0.1:%d
                     """.formatted(a.port(), b.port()))) {
            PrometheusDiscoveryIT.awaitValue(prom, "count(pg_up{job=\"pg_shard\"} == 1)", Integer.toString(DATABASES), 60);
            Thread.sleep(2500); // one more scrape interval: every target has been scraped at least once since

            List<String> shardA = fleet.databases(0);
            List<String> shardB = fleet.databases(1);
            for (String target : targets) {
                assertThat(prom.query("count(pg_up{job=\"pg_shard\",instance=\"" + target + "\"})"))
                        .as("one series for " + target).contains("1");
                assertThat(prom.query("count(up{job=\"pg_shard\",instance=\"" + target + "\"})")).contains("1");
            }
            assertThat(prom.query("count(pg_up{job=\"pg_shard\"})")).contains(Integer.toString(DATABASES));
            assertThat(shardA).as("shard 0").hasSize(DATABASES / 2);
            assertThat(shardB).as("shard 1").hasSize(DATABASES / 2);
            // Each process connected to its shard's databases only: every target scraped by exactly one pgvigil.
            assertThat(sessions(pg, "pgvigil_shard_a")).containsExactlyElementsOf(shardA);
            assertThat(sessions(pg, "pgvigil_shard_b")).containsExactlyElementsOf(shardB);
            String active = prom.api("/api/v1/targets?state=active"); // Go escapes & in JSON as \u0026
            for (String target : targets) {
                int port = hashmod(target, 2) == 0 ? a.port() : b.port();
                assertThat(active).contains("\"scrapeUrl\":\"http://127.0.0.1:" + port + "/probe?auth_module=mod_shard\\u0026target="
                        + target.replace(":", "%3A").replace("/", "%2F") + "\"");
            }

            // Stateless: either replica answers any target.
            for (String target : targets) {
                for (ImageProcess replica : List.of(a, b)) {
                    var res = replica.get(ImageProcess.probePath(target, "mod_shard"));
                    assertThat(res.statusCode()).isEqualTo(200);
                    assertThat(res.body()).as(target).contains("pg_up 1");
                }
            }
            System.out.printf("PrometheusShardIT: shard 0 (127.0.0.1:%d) %s, shard 1 (127.0.0.1:%d) %s%n",
                              a.port(), shardA, b.port(), shardB);
            assertThat(a.log() + b.log()).doesNotContain(PASSWORD);
        }
    }

    /**
     * Several Prometheus servers, each with its shard: two real Prometheus servers with the config docs/prometheus.md
     * shows (shard 0 and shard 1), each scraping its own image process. Each has {@code pg_up} series, all 1, for
     * exactly its shard's targets: disjoint, both non-empty, every target in one; each lists the other shard's
     * targets as dropped; and each process has sessions on exactly its Prometheus server's shard.
     */
    @Test
    void severalPrometheusServersEachScrapeTheirShardOnly(@TempDir Path dir) throws Exception {
        MonitoredServer mon = fleet.mon();
        try (ImageProcess pgvigil0 = ImageProcess.start(dir, Map.of(),
                     "--config.file=" + config(dir, "pgvigil_keep_0", "prod_db", mon, fleet.names()));
             ImageProcess pgvigil1 = ImageProcess.start(dir, Map.of(),
                     "--config.file=" + config(dir, "pgvigil_keep_1", "prod_db", mon, fleet.names()));
             PrometheusProcess prom0 = PrometheusProcess.start(binary, Files.createDirectories(dir.resolve("prom0")),
                                                               documentedKeepConfig(0, pgvigil0.port()));
             PrometheusProcess prom1 = PrometheusProcess.start(binary, Files.createDirectories(dir.resolve("prom1")),
                                                               documentedKeepConfig(1, pgvigil1.port()))) {
            List<PrometheusProcess> proms = List.of(prom0, prom1);
            for (PrometheusProcess prom : proms) {
                PrometheusDiscoveryIT.awaitValue(prom, "count(pg_up{job=\"postgres\"} == 1)",
                                                 Integer.toString(DATABASES / 2), 60);
            }
            Thread.sleep(2500); // one more scrape interval: a target scraped by the wrong server would show by now

            List<Set<String>> seen = new ArrayList<>();
            for (PrometheusProcess prom : proms) {
                seen.add(prom.labelValues("instance", "pg_up{job=\"postgres\"}"));
                assertThat(prom.query("count(pg_up{job=\"postgres\"} != 1)")).as("a pg_up that is not 1").isEmpty();
            }
            assertThat(seen.get(0)).as("Prometheus 0's targets").isNotEmpty().doesNotContainAnyElementsOf(seen.get(1));
            assertThat(seen.get(1)).as("Prometheus 1's targets").isNotEmpty();
            Set<String> union = new TreeSet<>(seen.get(0));
            union.addAll(seen.get(1));
            assertThat(union).as("the targets of both").containsExactlyInAnyOrderElementsOf(fleet.targets());
            for (int shard = 0; shard < 2; shard++) {
                assertThat(seen.get(shard)).as("Prometheus " + shard + "'s targets")
                        .containsExactlyInAnyOrderElementsOf(fleet.shards().get(shard));
                assertThat(sessions(mon.server(), "pgvigil_keep_" + shard)).as("pgvigil " + shard + "'s sessions")
                        .containsExactlyElementsOf(fleet.databases(shard));
                String dropped = proms.get(shard).api("/api/v1/targets?state=dropped");
                for (String other : fleet.shards().get(1 - shard)) {
                    assertThat(dropped).as("Prometheus " + shard + " drops the other shard")
                            .contains("\"__param_target\":\"" + other + "\"");
                }
            }
            System.out.printf("PrometheusShardIT: Prometheus 0 (pgvigil 127.0.0.1:%d) %s, Prometheus 1 (pgvigil 127.0.0.1:%d) %s%n",
                              pgvigil0.port(), seen.get(0), pgvigil1.port(), seen.get(1));
            assertThat(pgvigil0.log() + pgvigil1.log()).doesNotContain(PASSWORD);
        }
    }
}
