package io.pgvigil.http;

import io.pgvigil.connect.ConnectionSource;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** /-/healthy, /-/ready and /-/reload answer from the lifecycle callbacks, never from a database. */
@ServerTest
class OperationalEndpointsTest {
    static final AtomicBoolean READY = new AtomicBoolean(true);
    static final AtomicReference<Lifecycle.ReloadOutcome> NEXT_RELOAD = new AtomicReference<>();
    static final AtomicInteger RELOADS = new AtomicInteger();
    static final AtomicInteger CONNECTIONS = new AtomicInteger();

    private final WebServer server;

    OperationalEndpointsTest(WebServer server) {
        this.server = server;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        ConnectionSource counting = (spec, deadline) -> {
            CONNECTIONS.incrementAndGet();
            throw new java.sql.SQLException("no database in this test");
        };
        Lifecycle lifecycle = new Lifecycle() {
            @Override
            public boolean ready() {
                return READY.get();
            }

            @Override
            public ReloadOutcome reload() {
                RELOADS.incrementAndGet();
                return NEXT_RELOAD.get();
            }
        };
        ExporterService.register(routing, new ExporterService.Settings(
                "/metrics", new Scraper(counting, Set.of()), AuthConfig::empty, Optional.empty(), List::of, "test", lifecycle));
    }

    @BeforeEach
    void reset() {
        READY.set(true);
        RELOADS.set(0);
        CONNECTIONS.set(0);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthyIsAlways200() throws Exception {
        READY.set(false);
        HttpResponse<String> res = send("GET", "/-/healthy");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("Healthy.\n");
        assertThat(send("HEAD", "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(CONNECTIONS.get()).isZero();
    }

    @Test
    void readyFollowsTheLifecycle() throws Exception {
        assertThat(send("GET", "/-/ready").statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/-/ready").statusCode()).isEqualTo(200);
        READY.set(false);
        HttpResponse<String> res = send("GET", "/-/ready");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).isEqualTo("Not ready.\n");
        assertThat(send("HEAD", "/-/ready").statusCode()).isEqualTo(503);
        assertThat(CONNECTIONS.get()).isZero();
    }

    @Test
    void reloadSuccessIs200WithTheSummary() throws Exception {
        NEXT_RELOAD.set(new Lifecycle.ReloadOutcome(true, "loaded config file x.yml: 1 auth module (a)"));
        HttpResponse<String> res = send("POST", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("loaded config file x.yml: 1 auth module (a)\n");
        assertThat(send("PUT", "/-/reload").statusCode()).isEqualTo(200);
        assertThat(RELOADS.get()).isEqualTo(2);
    }

    @Test
    void reloadFailureIs500WithTheReason() throws Exception {
        NEXT_RELOAD.set(new Lifecycle.ReloadOutcome(false, "config file x.yml is invalid: x.yml: unknown key \"a\""));
        HttpResponse<String> res = send("POST", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(500);
        assertThat(res.body()).isEqualTo("failed to reload config: config file x.yml is invalid: x.yml: unknown key \"a\"\n");
    }

    @Test
    void reloadByGetIsRefusedAndDoesNotReload() throws Exception {
        HttpResponse<String> res = send("GET", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(405);
        assertThat(res.headers().firstValue("Allow")).contains("POST, PUT");
        assertThat(RELOADS.get()).isZero();
    }
}
