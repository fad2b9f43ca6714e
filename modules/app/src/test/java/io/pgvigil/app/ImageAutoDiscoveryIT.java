package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-discovery through the jlinked image, started as an upstream deployment starts it: {@code DATA_SOURCE_NAME},
 * {@code --auto-discover-databases}, {@code --include-databases}/{@code --exclude-databases} and a queries file. The
 * families and labels of every discovered database on {@code /metrics}, the data source's own, and the sessions
 * kept between scrapes.
 */
class ImageAutoDiscoveryIT {
    private static final String ROLE = "pgvigil_discover";
    private static final String PASSWORD = "D1scover-pw";

    private static String count(String body, String family) {
        Matcher m = Pattern.compile("\n" + Pattern.quote(family) + " (\\d+)\n").matcher(body);
        assertThat(m.find()).as(family).isTrue();
        return m.group(1);
    }

    @Test
    void everyIncludedDatabaseReportsTheNonMasterQueriesWithTheServerLabel(@TempDir Path dir) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        PgServer pg = mon.server();
        for (String db : List.of("disc_main", "disc_a", "disc_b", "disc_excluded", "disc_not_included", "disc_locked")) {
            pg.createDatabase(db, null);
        }
        pg.execute("disc_locked", "REVOKE CONNECT ON DATABASE disc_locked FROM PUBLIC");
        Path queries = dir.resolve("queries.yaml");
        Files.writeString(queries, """
                pg_disc:
                  query: "SELECT current_database() AS datname, 7 AS answer"
                  metrics:
                    - datname:
                        usage: "LABEL"
                        description: "Database"
                    - answer:
                        usage: "GAUGE"
                        description: "The same in every database"
                pg_disc_master:
                  query: "SELECT 1 AS only"
                  master: true
                  metrics:
                    - only:
                        usage: "GAUGE"
                        description: "Only on the data source"
                """);
        Map<String, String> env = Map.of("DATA_SOURCE_NAME", mon.dsn("disc_main"));
        try (ImageProcess image = ImageProcess.start(dir, env, "--extend.query-path=" + queries, "--auto-discover-databases",
                                                     "--include-databases=disc_a,disc_b,disc_excluded,disc_locked",
                                                     "--exclude-databases=disc_excluded")) {
            HttpResponse<String> first = image.get("/metrics");
            assertThat(first.statusCode()).isEqualTo(200);
            String body = first.body();
            StrictExposition.parse(body);
            String server = pg.host() + ":" + pg.port();
            assertThat(body).contains("# HELP pg_disc_answer The same in every database\n# TYPE pg_disc_answer gauge\n");
            for (String db : List.of("disc_main", "disc_a", "disc_b")) {
                assertThat(body).contains("\npg_disc_answer{datname=\"" + db + "\",server=\"" + server + "\"} 7\n");
            }
            assertThat(body).doesNotContain("pg_disc_answer{datname=\"disc_excluded\"", "pg_disc_answer{datname=\"disc_not_included\"",
                                            "pg_disc_answer{datname=\"disc_locked\"", "pg_disc_answer{datname=\"postgres\"");
            // master-only namespaces, pg_static and the collectors: the data source's database only
            assertThat(body).contains("\npg_disc_master_only{server=\"" + server + "\"} 1\n", "\npg_up 1\n")
                    .containsPattern("\npg_static\\{server=\"" + Pattern.quote(server) + "\",short_version=\"[0-9.]+\",version=\"[^\"]+\"\\} 1\n")
                    .containsPattern("\npg_stat_database_xact_commit\\{datid=\"\\d+\",datname=\"disc_main\"\\} ");
            assertThat(body.split("\npg_disc_master_only\\{", -1)).hasSize(2);
            // the database the role may not connect to: logged, reported as a scrape error, the others still report
            assertThat(body).contains("\npg_exporter_last_scrape_error 1\n");
            image.awaitLog("Error opening connection to database", 10);
            assertThat(image.log()).containsPattern("Error opening connection to database.*disc_locked").doesNotContain(PASSWORD);

            // the discovered databases' sessions are kept: a second scrape opens none
            String opened = count(body, "pgvigil_connections_opened_total");
            String second = image.get("/metrics").body();
            assertThat(second).contains("\npg_disc_answer{datname=\"disc_b\",server=\"" + server + "\"} 7\n");
            assertThat(count(second, "pgvigil_connections_opened_total")).isEqualTo(opened);
        }
    }
}
