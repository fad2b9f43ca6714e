package io.pgvigil.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.WebConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Basic auth with bcrypt hashes and the configured headers, on every route. */
@RoutingTest
class WebSecurityTest {
    private static final String HASH = new String(BCrypt.withDefaults().hash(4, "s3cret-pw".toCharArray()), StandardCharsets.US_ASCII);

    private final DirectClient client;

    WebSecurityTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        WebConfig web = new WebConfig(Optional.empty(), Map.of("X-Frame-Options", "deny", "X-Content-Type-Options", "nosniff"),
                                      Map.of("prometheus", HASH));
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new CannedScrapes(CannedScrapes.down()),
                                                                    AuthConfig::empty, "test")
                .withWebConfig(() -> web));
    }

    private Answer get(String path, String userAndPassword) {
        if (userAndPassword == null) {
            return Answer.send(client, "GET", path);
        }
        return Answer.send(client, "GET", path, "Authorization",
                           "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertUnauthorized(Answer res) {
        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).contains("Basic");
        assertThat(res.body()).isEqualTo("Unauthorized\n");
    }

    @Test
    void theRightPasswordIsAccepted() {
        for (int i = 0; i < 2; i++) { // the second time from the cache of verified passwords
            Answer res = get("/metrics", "prometheus:s3cret-pw");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("pg_up 0");
        }
        assertThat(get("/-/healthy", "prometheus:s3cret-pw").statusCode()).isEqualTo(200);
    }

    @Test
    void everythingElseIs401OnEveryRoute() {
        for (String path : List.of("/metrics", "/probe?target=x", "/", "/-/healthy", "/-/reload", "/nothing")) {
            assertUnauthorized(get(path, null));
        }
        get("/metrics", "prometheus:s3cret-pw"); // a cached success must not let a wrong password in
        assertUnauthorized(get("/metrics", "prometheus:wrong"));
        assertUnauthorized(get("/metrics", "prometheus:"));
        assertUnauthorized(get("/metrics", "nobody:s3cret-pw"));
        assertUnauthorized(get("/metrics", "prometheus"));
        assertUnauthorized(get("/metrics", "prometheus:" + "x".repeat(100)));
        Answer bearer = Answer.send(client, "GET", "/metrics", "Authorization", "Bearer abc");
        assertUnauthorized(bearer);
        Answer garbage = Answer.send(client, "GET", "/metrics", "Authorization", "Basic !!!");
        assertUnauthorized(garbage);
    }

    @Test
    void configuredHeadersAreOnEveryAnswer() {
        for (Answer res : List.of(get("/metrics", "prometheus:s3cret-pw"), get("/metrics", null),
                                                get("/nothing", "prometheus:s3cret-pw"))) {
            assertThat(res.headers().firstValue("X-Frame-Options")).contains("deny");
            assertThat(res.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
    }
}
