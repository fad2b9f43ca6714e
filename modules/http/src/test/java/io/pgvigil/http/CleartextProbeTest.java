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
import io.pgvigil.config.ConfigLoader;
import io.pgvigil.config.Environment;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.testkit.CleartextTrap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hole of issue 10 item 2, tried as an attacker would: {@code /probe?target=<a fake server>&auth_module=prod}
 * where the fake server asks for the password in clear text. The module comes from a config file, as in production.
 * pgvigil answers {@code pg_up 0}, logs why, and the fake server never receives the password.
 */
@ServerTest
class CleartextProbeTest {
    private static final String PASSWORD = "Pr0d-Module-Secret-e41";

    private final Http1Client client;

    CleartextProbeTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        AuthConfig auth;
        try {
            Path file = Files.createTempFile("pgvigil-cleartext", ".yml");
            Files.writeString(file, """
                    auth_modules:
                      prod:
                        type: userpass
                        userpass:
                          username: monitor
                          password: ${PROD_PASSWORD}
                      allows_cleartext:
                        type: userpass
                        userpass:
                          username: monitor
                          password: ${PROD_PASSWORD}
                        options:
                          require_auth: password
                    """);
            auth = ConfigLoader.load(file, Environment.of(Map.of("PROD_PASSWORD", PASSWORD))).config();
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(auth.modules()).hasSize(2);
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault());
        AuthConfig modules = auth;
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> modules, "test"));
    }

    private String probe(CleartextTrap trap, String module) {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", trap.host() + ":" + trap.port() + "/app")
                .queryParam("auth_module", module).request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            return res.as(String.class);
        }
    }

    @Test
    void aStrangerAskingForCleartextGetsNoPassword() {
        try (CleartextTrap trap = CleartextTrap.start(); LogCapture logs = new LogCapture()) {
            String body = probe(trap, "prod");

            assertThat(body).contains("\npg_up 0\n").doesNotContain(PASSWORD);
            assertThat(trap.startups()).isPositive();
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).doesNotContain(PASSWORD);
            assertThat(logs.lines()).anyMatch(l -> l.contains("Error opening connection to database")
                                                   && l.contains("authentication refused")
                                                   && l.contains("no password was sent"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(PASSWORD));
        }
    }

    @Test
    void aModuleThatAllowsCleartextSendsIt() {
        // The control: the trap and this route do catch the password when the module allows cleartext.
        try (CleartextTrap trap = CleartextTrap.start(); LogCapture logs = new LogCapture()) {
            String body = probe(trap, "allows_cleartext");

            assertThat(body).contains("\npg_up 0\n").doesNotContain(PASSWORD);
            assertThat(trap.passwordMessages()).isEqualTo(1);
            assertThat(trap.received()).contains(PASSWORD);
            assertThat(logs.lines()).noneMatch(l -> l.contains(PASSWORD));
        }
    }
}
