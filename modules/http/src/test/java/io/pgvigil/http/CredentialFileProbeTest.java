package io.pgvigil.http;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code password_file} through {@code /probe}: a rotated file is used by the next probe, a missing one is pg_up 0. */
@ServerTest
class CredentialFileProbeTest {
    private static final String ROLE = "pgvigil_probe_file";
    private static final Path DIR;
    private static final Path PASSWORD;

    static {
        try {
            DIR = Files.createTempDirectory("pgvigil-probe-file");
            PASSWORD = DIR.resolve("password");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Http1Client client;

    CredentialFileProbeTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        AuthConfig auth = new AuthConfig(Map.of("file", new AuthModule("file", new Credentials.UserPass(ROLE,
                Secret.guarded(""), Optional.empty(), Optional.of(PASSWORD)), Map.of("sslmode", "disable"))));
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault());
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> auth, "test"));
    }

    private String probe(PgServer pg) {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", "127.0.0.1:" + pg.port() + "/postgres")
                .queryParam("auth_module", "file").request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            return res.as(String.class);
        }
    }

    @Test
    void rotatedThenMissing() throws IOException {
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole(ROLE, "Pr0be-F1le-one", "IN ROLE pg_monitor");
        Files.writeString(PASSWORD, "Pr0be-F1le-one\n");
        assertThat(probe(pg)).contains("\npg_up 1\n");

        pg.createRole(ROLE, "Pr0be-F1le-two", "IN ROLE pg_monitor");
        Files.writeString(PASSWORD, "Pr0be-F1le-two\n");
        assertThat(probe(pg)).contains("\npg_up 1\n");

        Files.delete(PASSWORD);
        try (LogCapture logs = new LogCapture()) {
            String body = probe(pg);
            assertThat(body).contains("\npg_up 0\n").doesNotContain("Pr0be-F1le");
            assertThat(logs.lines()).anyMatch(l -> l.contains("Error opening connection to database")
                    && l.contains("cannot read password_file " + PASSWORD + ": the file does not exist"));
            assertThat(logs.lines()).noneMatch(l -> l.contains("Pr0be-F1le"));
        }
    }
}
