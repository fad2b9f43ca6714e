package io.pgvigil.http;

import io.pgvigil.connect.ConnectionSource;
import at.favre.lib.crypto.bcrypt.BCrypt;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.WebConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Basic auth with bcrypt hashes and the configured headers, on every route. */
@ServerTest
class WebSecurityTest {
    private static final String HASH = new String(BCrypt.withDefaults().hash(4, "s3cret-pw".toCharArray()), StandardCharsets.US_ASCII);

    private final WebServer server;

    WebSecurityTest(WebServer server) {
        this.server = server;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        ConnectionSource none = (spec, deadline) -> {
            throw new java.sql.SQLException("no database in this test");
        };
        WebConfig web = new WebConfig(Optional.empty(), Map.of("X-Frame-Options", "deny", "X-Content-Type-Options", "nosniff"),
                                      Map.of("prometheus", HASH));
        ExporterService.register(routing, new ExporterService.Settings(
                "/metrics", new Scraper(none, Set.of()), AuthConfig::empty, Optional.empty(), List::of, "test",
                ExporterService.DEFAULT_SCRAPE_TIMEOUT_OFFSET, Lifecycle.STATIC, () -> web));
    }

    private HttpResponse<String> get(String path, String userAndPassword) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (userAndPassword != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthorized(HttpResponse<String> res) {
        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).contains("Basic");
        assertThat(res.body()).isEqualTo("Unauthorized\n");
    }

    @Test
    void theRightPasswordIsAccepted() throws Exception {
        for (int i = 0; i < 2; i++) { // the second time from the cache of verified passwords
            HttpResponse<String> res = get("/metrics", "prometheus:s3cret-pw");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("pg_up 0");
        }
        assertThat(get("/-/healthy", "prometheus:s3cret-pw").statusCode()).isEqualTo(200);
    }

    @Test
    void everythingElseIs401OnEveryRoute() throws Exception {
        for (String path : List.of("/metrics", "/probe?target=x", "/", "/-/healthy", "/-/reload", "/nothing")) {
            assertUnauthorized(get(path, null));
        }
        get("/metrics", "prometheus:s3cret-pw"); // a cached success must not let a wrong password in
        assertUnauthorized(get("/metrics", "prometheus:wrong"));
        assertUnauthorized(get("/metrics", "prometheus:"));
        assertUnauthorized(get("/metrics", "nobody:s3cret-pw"));
        assertUnauthorized(get("/metrics", "prometheus"));
        assertUnauthorized(get("/metrics", "prometheus:" + "x".repeat(100)));
        HttpResponse<String> bearer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                        .header("Authorization", "Bearer abc").build(), HttpResponse.BodyHandlers.ofString());
        assertUnauthorized(bearer);
        HttpResponse<String> garbage = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                        .header("Authorization", "Basic !!!").build(), HttpResponse.BodyHandlers.ofString());
        assertUnauthorized(garbage);
    }

    @Test
    void configuredHeadersAreOnEveryAnswer() throws Exception {
        for (HttpResponse<String> res : List.of(get("/metrics", "prometheus:s3cret-pw"), get("/metrics", null),
                                                get("/nothing", "prometheus:s3cret-pw"))) {
            assertThat(res.headers().firstValue("X-Frame-Options")).contains("deny");
            assertThat(res.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
    }
}
