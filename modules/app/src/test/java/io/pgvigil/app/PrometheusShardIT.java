package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
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
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Past one machine: two image processes behind one real Prometheus job that shards the targets found by
 * {@code /discovery} with {@code hashmod} on {@code __param_target} (docs/prometheus.md, "Past one machine"). Every
 * target is scraped by its shard's pgvigil only (each process's sessions, told apart by the module's
 * {@code application_name}, are on its shard's databases), Prometheus holds exactly one {@code pg_up} series per
 * target, and either process answers any target when probed directly (pgvigil keeps no per-target state that a
 * replica would lack).
 */
class PrometheusShardIT {
    private static final String PASSWORD = "Pa55-shard-prom";
    private static final int DATABASES = 8;

    /** Prometheus' hashmod: the MD5 of the value, its last 8 bytes as a big-endian unsigned integer, modulo n. */
    static int hashmod(String value, int modulus) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        return (int) Long.remainderUnsigned(ByteBuffer.wrap(md5, 8, 8).getLong(), modulus);
    }

    private static Path config(Path dir, String name, MonitoredServer mon, List<String> databases) throws Exception {
        Path file = dir.resolve(name + ".yml");
        Files.writeString(file, """
                auth_modules:
                  mod_shard:
                    type: userpass
                    userpass: {username: prom_shard, password: %s}
                    options: {sslmode: disable, application_name: %s}
                    targets: ["%s"]
                    discovery: {databases: true, include: ["%s"]}
                """.formatted(PASSWORD, name, mon.target(), String.join("|", databases)));
        return file;
    }

    /** The databases {@code applicationName} has sessions on, sorted. */
    private static List<String> sessions(PgServer pg, String applicationName) {
        String list = pg.queryString("postgres", "SELECT coalesce(string_agg(DISTINCT datname, ',' ORDER BY datname), '')"
                + " FROM pg_stat_activity WHERE application_name = ? AND datname LIKE 'prom_shard_%'", applicationName);
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    @Test
    void eachTargetIsScrapedOnceByItsShardAndEitherReplicaAnswersAny(@TempDir Path dir) throws Exception {
        Optional<Path> binary = PrometheusProcess.binary();
        assumeTrue(binary.isPresent(), "no prometheus binary on the PATH or in .tools/");
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "prom_shard", PASSWORD);
        PgServer pg = mon.server();
        // Names picked so that each shard gets half (the hash of 8 targets alone could put all in one, 1 run in 128).
        List<String> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] perShard = new int[2];
        for (int i = 1; targets.size() < DATABASES; i++) {
            String target = mon.target("prom_shard_" + i);
            int shard = hashmod(target, 2);
            if (perShard[shard] < DATABASES / 2) {
                perShard[shard]++;
                pg.createDatabase("prom_shard_" + i, null);
                names.add("prom_shard_" + i);
                targets.add(target);
            }
        }
        try (ImageProcess a = ImageProcess.start(dir, Map.of(), "--config.file=" + config(dir, "pgvigil_shard_a", mon, names));
             ImageProcess b = ImageProcess.start(dir, Map.of(), "--config.file=" + config(dir, "pgvigil_shard_b", mon, names));
             PrometheusProcess prom = PrometheusProcess.start(binary.get(), dir,
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

            TreeSet<String> shardA = new TreeSet<>();
            TreeSet<String> shardB = new TreeSet<>();
            for (String target : targets) {
                (hashmod(target, 2) == 0 ? shardA : shardB).add(target.substring(target.indexOf('/') + 1));
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
}
