package io.pgvigil.http;

import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.http.Status;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.HostResolver;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code targets:} against a real PostgreSQL on 127.0.0.1, through real sockets: probes allowed by a CIDR block and by
 * the name {@code localhost}, and a DNS-rebinding resolver whose second answer is never used.
 */
@ServerTest
class AllowListProbeTest {
    static final String PASSWORD = "Pr0be-All0w!pw";
    /** Answers of the rebinding resolver, consumed one per lookup. */
    static final Deque<InetAddress> REBINDING = new ArrayDeque<>();
    static final List<String> ASKED = new CopyOnWriteArrayList<>();

    private final Http1Client client;

    AllowListProbeTest(Http1Client client) {
        this.client = client;
    }

    private static PgServer pg() {
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole("pgvigil_allow", PASSWORD, "IN ROLE pg_monitor");
        return pg;
    }

    /** The JDK's resolver, except for {@code rebind.invalid}, which answers from {@link #REBINDING}. */
    private static HostResolver resolver() {
        HostResolver system = HostResolver.system(Duration.ofSeconds(5));
        return host -> {
            ASKED.add(host);
            if (host.equals("rebind.invalid")) {
                synchronized (REBINDING) {
                    return List.of(REBINDING.removeFirst());
                }
            }
            return system.resolve(host);
        };
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Credentials creds = new Credentials.UserPass("pgvigil_allow", Secret.of(PASSWORD));
        AuthConfig auth = new AuthConfig(Map.of(
                "loopback", new AuthModule("loopback", creds, Map.of("sslmode", "disable"),
                                           Optional.of(TargetAllowList.parse(List.of("127.0.0.0/8")))),
                "byname", new AuthModule("byname", creds, Map.of("sslmode", "disable"),
                                         Optional.of(TargetAllowList.parse(List.of("localhost"))))));
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault());
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> auth, "test")
                .withResolver(resolver()));
    }

    private String probe(String target, String module, Status expected) {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", target)
                .queryParam("auth_module", module).request()) {
            assertThat(res.status()).as(target).isEqualTo(expected);
            return res.as(String.class);
        }
    }

    @Test
    void aLoopbackTargetIsAllowedByTheCidrBlockAndTheNameLocalhostByItsEntry() {
        PgServer pg = pg();
        assertThat(probe("127.0.0.1:" + pg.port() + "/postgres", "loopback", Status.OK_200)).contains("\npg_up 1\n");
        assertThat(probe("localhost:" + pg.port() + "/postgres", "byname", Status.OK_200)).contains("\npg_up 1\n");
        assertThat(probe("127.0.0.1:" + pg.port() + "/postgres", "byname", Status.FORBIDDEN_403))
                .isEqualTo("target is not in the targets allowed for auth_module byname\n");
    }

    @Test
    void aRebindingNameIsResolvedOnceAndConnectedToTheAddressThatWasChecked() {
        PgServer pg = pg();
        synchronized (REBINDING) {
            REBINDING.clear();
            // First answer: the real server, inside 127.0.0.0/8. Any later answer: outside the list.
            REBINDING.add(InetAddress.ofLiteral("127.0.0.1"));
            REBINDING.add(InetAddress.ofLiteral("192.0.2.66"));
        }
        ASKED.clear();
        try (LogCapture logs = new LogCapture()) {
            // rebind.invalid cannot be resolved by the system: pg_up 1 means the connection went to the pinned address.
            assertThat(probe("rebind.invalid:" + pg.port() + "/postgres", "loopback", Status.OK_200)).contains("\npg_up 1\n");
            assertThat(ASKED).containsExactly("rebind.invalid");
            // The next probe gets the second answer, outside the list: refused, before any connection.
            assertThat(probe("rebind.invalid:" + pg.port() + "/postgres", "loopback", Status.FORBIDDEN_403))
                    .doesNotContain("192.0.2.66");
            assertThat(ASKED).containsExactly("rebind.invalid", "rebind.invalid");
            assertThat(logs.lines()).noneMatch(l -> l.contains(PASSWORD) || l.contains("192.0.2.66"));
        }
    }
}
