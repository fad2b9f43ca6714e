package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.DiscoveryOptions;
import io.pgvigil.dsn.HostResolver;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /discovery} with canned database lists and an injected resolver: the JSON shape Prometheus'
 * {@code http_sd_configs} reads, the allow-list entries that name one server, database patterns, escaping of odd
 * names, the cache, a server that does not answer, and the 400s.
 */
@RoutingTest
class DiscoveryRoutesTest {
    static final String PASSWORD = "Disc0very-S3cret";
    /** The servers {@link #DATABASES} was asked about (first host of each), in order. */
    static final List<String> ASKED = new CopyOnWriteArrayList<>();
    static final List<ConnectionSpec> SPECS = new CopyOnWriteArrayList<>();
    static final String ODD = "we\"ird db/?%\\é";

    private final DirectClient client;

    DiscoveryRoutesTest(DirectClient client) {
        this.client = client;
    }

    static final ServerDatabases DATABASES = (server, timeout) -> {
        String host = server.endpoints().getFirst().host();
        ASKED.add(host);
        SPECS.add(server);
        return switch (host) {
            case "db1.example.com" -> new ServerDatabases.Listing.Listed(List.of("postgres", "app", ODD, "scratch_1",
                                                                                 "we\tird, with a tab"));
            case "10.20.0.5" -> new ServerDatabases.Listing.Listed(List.of("postgres", "billing"));
            case "db3.example.com" -> new ServerDatabases.Listing.Failed("connection refused");
            case "10.99.0.1" -> {
                // A server that accepts the connection and never answers (its own deadline is far away).
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield new ServerDatabases.Listing.Listed(List.of("late"));
            }
            default -> throw new IllegalStateException("no answer from " + host); // an implementation that throws
        };
    };

    static final HostResolver RESOLVER = host -> {
        if (host.equals("db1.example.com") || host.equals("db3.example.com")) {
            return List.of(InetAddress.ofLiteral("192.0.2.10"));
        }
        throw new UnknownHostException("no such host");
    };

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Credentials creds = new Credentials.UserPass("disc_user", Secret.of(PASSWORD));
        Map<String, String> options = Map.of("sslmode", "disable");
        TargetAllowList list = TargetAllowList.parse(List.of("db1.example.com:5432", "10.20.0.5", "10.0.0.0/16",
                "*.prod.example.com", "[2001:db8::5]:6432", "db3.example.com"));
        DiscoveryOptions dbs = new DiscoveryOptions(true, List.of("app|we.*|scratch_.*|billing"), List.of("scratch_.*"),
                                                    Duration.ofMinutes(10));
        AuthConfig auth = new AuthConfig(Map.of(
                "servers", new AuthModule("servers", creds, options, Optional.of(list)),
                "dbs", new AuthModule("dbs", creds, options, Optional.of(list), Optional.empty(), Optional.empty(), dbs),
                // The same, with a cache of its own (the service and its cache live as long as the routing).
                "cached", new AuthModule("cached", creds, options, Optional.of(list), Optional.empty(), Optional.empty(), dbs),
                "slow", new AuthModule("slow", creds, options, Optional.of(TargetAllowList.parse(
                        List.of("10.99.0.1", "10.20.0.5"))), Optional.empty(), Optional.empty(), dbs),
                "ranges", new AuthModule("ranges", creds, options,
                        Optional.of(TargetAllowList.parse(List.of("10.0.0.0/8", "*.example.com")))),
                "open", new AuthModule("open", creds, options)));
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new CannedScrapes(CannedScrapes.down()),
                () -> auth, "test").withResolver(RESOLVER).withDatabases(DATABASES));
    }

    @BeforeEach
    void reset() {
        ASKED.clear();
        SPECS.clear();
    }

    private HttpClientResponse discover(String module, String address) {
        return client.get("/discovery").queryParam("auth_module", module).queryParam("address", address).request();
    }

    @Test
    void theServersOfTheAllowListAreTargetsOfThisExporterWithTheProbeParameters() {
        try (HttpClientResponse res = discover("servers", "exporter.example.com:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            assertThat(res.headers().first(HeaderNames.CONTENT_TYPE)).contains("application/json");
            // Wildcards and address blocks name no server: left out. An IPv6 address is bracketed.
            assertThat(res.as(String.class)).isEqualTo("["
                    + group("db1.example.com:5432", "servers", "")
                    + "," + group("10.20.0.5", "servers", "")
                    + "," + group("[2001:db8:0:0:0:0:0:5]:6432", "servers", "")
                    + "," + group("db3.example.com", "servers", "")
                    + "]\n");
        }
        assertThat(ASKED).as("no database is asked without discovery.databases").isEmpty();
    }

    private static String group(String target, String module, String database) {
        String server = database.isEmpty() ? target : target.substring(0, target.indexOf('/'));
        return "{\"targets\":[\"exporter.example.com:9187\"],\"labels\":{\"instance\":\"" + target
                + "\",\"__param_target\":\"" + target + "\",\"__param_auth_module\":\"" + module
                + "\",\"__meta_pgvigil_server\":\"" + server + "\""
                + (database.isEmpty() ? "" : ",\"__meta_pgvigil_database\":\"" + database + "\"") + "}}";
    }

    @Test
    void everyAcceptedDatabaseOfEachServerIsATargetAndAServerThatFailsIsSkipped() {
        try (LogCapture logs = new LogCapture(); HttpClientResponse res = discover("dbs", "exporter.example.com:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            String oddTarget = "db1.example.com:5432/we%22ird%20db%2F%3F%25%5C%C3%A9";
            assertThat(res.as(String.class)).isEqualTo("["
                    + group("db1.example.com:5432/app", "dbs", "app")
                    + "," + group(oddTarget, "dbs", "we\\\"ird db/?%\\\\é")
                    + "," + group("10.20.0.5/billing", "dbs", "billing")
                    + "]\n");
            // The odd name's target reads back as exactly that database.
            assertThat(ConnectionSpec.parseUntrusted(oddTarget).database()).contains(ODD);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .contains("database discovery skipped a server", "db3.example.com", "connection refused"));
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .contains("database discovery skipped a server", "2001:db8:0:0:0:0:0:5", "no answer from"));
            assertThat(logs.lines()).noneMatch(line -> line.contains(PASSWORD));
            // A name with a control character cannot be a target: left out, with a WARN.
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains(
                    "database discovery left out a database whose name has a control character", "db1.example.com"));
        }
        assertThat(ASKED).containsExactlyInAnyOrder("db1.example.com", "10.20.0.5", "2001:db8:0:0:0:0:0:5", "db3.example.com");
    }

    @Test
    void theListIsAskedWithTheModulesCredentialsPinnedToTheCheckedAddressesAndCachedForTheRefresh() {
        try (HttpClientResponse res = discover("cached", "exporter.example.com:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
        }
        ConnectionSpec db1 = SPECS.stream().filter(s -> s.endpoints().getFirst().host().equals("db1.example.com"))
                .findFirst().orElseThrow();
        assertThat(db1.effectiveUser()).isEqualTo("disc_user");
        assertThat(db1.effectiveDatabase()).isEqualTo("postgres");
        assertThat(db1.pinned()).containsValue(List.of(InetAddress.ofLiteral("192.0.2.10")));
        int asked = ASKED.size();
        try (HttpClientResponse res = discover("cached", "exporter.example.com:9187")) {
            assertThat(res.as(String.class)).contains("db1.example.com:5432/app");
        }
        // Within the refresh only the servers without a list (db3 failed, 2001:db8::5 is unknown) are asked again.
        assertThat(ASKED.subList(asked, ASKED.size())).doesNotContain("db1.example.com", "10.20.0.5");
    }

    @Test
    void theExporterAddressIsTheHostTheRequestCameInOnUnlessGiven() {
        try (HttpClientResponse res = client.get("/discovery").queryParam("auth_module", "servers")
                .header(HeaderNames.HOST, "pgvigil-2.example.com:9187").request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            assertThat(res.as(String.class)).startsWith("[{\"targets\":[\"pgvigil-2.example.com:9187\"]");
        }
        for (String host : List.of("evil.example.com/x", "a b:1", "host:99999", "\"x\"", "")) {
            try (HttpClientResponse res = client.get("/discovery").queryParam("auth_module", "servers")
                    .header(HeaderNames.HOST, host).request()) {
                assertThat(res.status()).as(host).isEqualTo(Status.BAD_REQUEST_400);
            }
        }
    }

    @Test
    void badRequestsAre400() {
        Map<String, String> answers = Map.of(
                "auth_module is required\n", "",
                "auth_module nope not found\n", "nope",
                "auth_module open has no targets to list (add targets: to it in the config file)\n", "open");
        answers.forEach((body, module) -> {
            try (HttpClientResponse res = discover(module, "exporter.example.com:9187")) {
                assertThat(res.status()).as(module).isEqualTo(Status.BAD_REQUEST_400);
                assertThat(res.as(String.class)).isEqualTo(body);
            }
        });
        for (String address : List.of("exporter.example.com", "exporter.example.com:0", "exp orter:1", "x:1/y",
                                      "[::1", "a\"b:1", "exporter.example.com:65536", "..:1")) {
            try (HttpClientResponse res = discover("servers", address)) {
                assertThat(res.status()).as(address).isEqualTo(Status.BAD_REQUEST_400);
                assertThat(res.as(String.class)).startsWith("address must be host:port");
            }
        }
        try (HttpClientResponse res = discover("servers", "[::1]:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
        }
    }

    @Test
    void aServerThatDoesNotAnswerIsSkippedAfterTheTimeoutAndTheOthersAreListed() {
        try (LogCapture logs = new LogCapture(); HttpClientResponse res = discover("slow", "exporter.example.com:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            assertThat(res.as(String.class)).isEqualTo("[" + group("10.20.0.5/billing", "slow", "billing") + "]\n");
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains(
                    "database discovery skipped a server that did not answer in time", "10.99.0.1", "PT5S"));
        }
    }

    @Test
    void theLandingPageLinksTheEndpoint() {
        try (HttpClientResponse res = client.get("/").request()) {
            assertThat(res.as(String.class)).contains("<code>/discovery?auth_module=NAME</code>", "http_sd_configs");
        }
    }

    @Test
    void aModuleWhoseTargetsAreAllRangesListsNothing() {
        try (HttpClientResponse res = discover("ranges", "exporter.example.com:9187")) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            assertThat(res.as(String.class)).isEqualTo("[]\n");
        }
    }
}
