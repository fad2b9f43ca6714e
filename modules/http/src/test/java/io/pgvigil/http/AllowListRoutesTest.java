package io.pgvigil.http;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.HostResolver;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code targets:} of an auth module on the routes, with canned snapshots and an injected resolver: the 403 is decided
 * before the scraper is asked anything, names neither the credentials nor an address, and is logged redacted.
 */
@RoutingTest
class AllowListRoutesTest {
    static final String PASSWORD = "All0w-S3cret!pw";
    static final String USER = "allow_monitor_user";
    static final CannedScrapes SCRAPES = new CannedScrapes(CannedScrapes.down());
    /** Hosts the resolver was asked for, in order. */
    static final List<String> ASKED = new CopyOnWriteArrayList<>();

    private static final Map<String, List<InetAddress>> DNS = Map.of(
            "db1.example.com", List.of(InetAddress.ofLiteral("192.0.2.10")),
            "inside.example.org", List.of(InetAddress.ofLiteral("10.20.0.7")),
            "outside.example.org", List.of(InetAddress.ofLiteral("198.51.100.77")),
            "a.prod.example.com", List.of(InetAddress.ofLiteral("198.51.100.78")));

    private final DirectClient client;

    AllowListRoutesTest(DirectClient client) {
        this.client = client;
    }

    static HostResolver resolver() {
        return host -> {
            ASKED.add(host);
            List<InetAddress> answer = DNS.get(host);
            if (answer == null) {
                throw new UnknownHostException("no such host");
            }
            return answer;
        };
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Credentials creds = new Credentials.UserPass(USER, Secret.of(PASSWORD));
        AuthConfig auth = new AuthConfig(Map.of(
                "listed", new AuthModule("listed", creds, Map.of("sslmode", "disable"), Optional.of(TargetAllowList.parse(
                        List.of("db1.example.com:5432", "10.20.0.0/16", "*.prod.example.com")))),
                "open", new AuthModule("open", creds, Map.of("sslmode", "disable"))));
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", SCRAPES, () -> auth, "test")
                .withResolver(resolver()));
    }

    @BeforeEach
    void reset() {
        SCRAPES.reset();
        ASKED.clear();
    }

    private HttpClientResponse probe(String target, String module) {
        return client.get("/probe").queryParam("target", target).queryParam("auth_module", module).request();
    }

    @Test
    void aTargetOutsideTheListIs403BeforeAnyConnectionAndTheLogIsRedacted() {
        for (String target : List.of("outside.example.org:5432/app",
                                     "postgresql://someone:" + PASSWORD + "@outside.example.org/app",
                                     "db1.example.com:5433/app",
                                     "prod.example.com:5432",
                                     "evilprod.example.com:5432",
                                     "10.21.0.1:5432",
                                     "[2001:db8::1]:5432",
                                     "nx.example.net:5432",
                                     "postgresql://inside.example.org,outside.example.org/app")) {
            try (LogCapture logs = new LogCapture(); HttpClientResponse res = probe(target, "listed")) {
                assertThat(res.status()).as(target).isEqualTo(Status.FORBIDDEN_403);
                String body = res.as(String.class);
                assertThat(body).isEqualTo("target is not in the targets allowed for auth_module listed\n");
                assertThat(logs.lines()).as(target).anySatisfy(line -> assertThat(line)
                        .contains("target refused: not in the auth module's targets", "listed"));
                assertThat(logs.lines()).as(target).noneMatch(line -> line.contains(PASSWORD) || line.contains(USER)
                        || line.contains("198.51.100.77"));
            }
        }
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void theRefusalReasonIsLoggedWithTheRequestedTargetOnly() {
        try (LogCapture logs = new LogCapture();
             HttpClientResponse res = probe("postgresql://mallory:" + PASSWORD + "@outside.example.org:5432/app", "listed")) {
            assertThat(res.status()).isEqualTo(Status.FORBIDDEN_403);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains(
                    "postgresql://mallory:******@outside.example.org:5432/app",
                    "the host is not an allowed name and resolves to an address outside the allowed networks"));
        }
    }

    @Test
    void anAllowedTargetIsScrapedPinnedToTheAddressesCheckedOnce() {
        for (String target : List.of("db1.example.com:5432/app", "inside.example.org/app", "a.prod.example.com:6432",
                                     "10.20.3.4:5432")) {
            try (HttpClientResponse res = probe(target, "listed")) {
                assertThat(res.status()).as(target).isEqualTo(Status.OK_200);
            }
        }
        assertThat(ASKED).containsExactly("db1.example.com", "inside.example.org", "a.prod.example.com");
        assertThat(SCRAPES.calls()).extracting(c -> c.target().orElseThrow().pinned()).containsExactly(
                Map.of(new Endpoint("db1.example.com", 5432), List.of(InetAddress.ofLiteral("192.0.2.10"))),
                Map.of(new Endpoint("inside.example.org", 5432), List.of(InetAddress.ofLiteral("10.20.0.7"))),
                Map.of(new Endpoint("a.prod.example.com", 6432), List.of(InetAddress.ofLiteral("198.51.100.78"))),
                Map.of(new Endpoint("10.20.3.4", 5432), List.of(InetAddress.ofLiteral("10.20.3.4"))));
    }

    @Test
    void aModuleWithoutTargetsKeepsUpstreamsBehaviourAndResolvesNothing() {
        try (HttpClientResponse res = probe("outside.example.org:5432/app", "open")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
        }
        assertThat(ASKED).isEmpty();
        assertThat(SCRAPES.calls()).singleElement().satisfies(c -> assertThat(c.target().orElseThrow().pinned()).isEmpty());
    }

    @Test
    void aProbeWithoutAnAuthModuleIsNotChecked() {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", "outside.example.org:5432/app").request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
        }
        assertThat(ASKED).isEmpty();
    }
}
