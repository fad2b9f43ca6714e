package io.pgvigil.http;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** /-/healthy, /-/ready and /-/reload answer from the lifecycle callbacks, never from a database (nor a scrape). */
@RoutingTest
class OperationalEndpointsTest {
    static final AtomicBoolean READY = new AtomicBoolean(true);
    static final AtomicReference<Lifecycle.ReloadOutcome> NEXT_RELOAD = new AtomicReference<>();
    static final AtomicInteger RELOADS = new AtomicInteger();
    static final AtomicInteger ANSWERED = new AtomicInteger();
    static final CannedScrapes SCRAPES = new CannedScrapes(CannedScrapes.down());

    private final DirectClient client;

    OperationalEndpointsTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
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

            @Override
            public void reloadAnswered() {
                ANSWERED.incrementAndGet();
            }
        };
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", SCRAPES, AuthConfig::empty, "test")
                .withLifecycle(lifecycle));
    }

    @BeforeEach
    void reset() {
        READY.set(true);
        RELOADS.set(0);
        ANSWERED.set(0);
        SCRAPES.reset();
    }

    private Answer send(String method, String path) {
        return Answer.send(client, method, path);
    }

    @Test
    void healthyIsAlways200() {
        READY.set(false);
        Answer res = send("GET", "/-/healthy");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("Healthy.\n");
        assertThat(send("HEAD", "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void readyFollowsTheLifecycle() {
        assertThat(send("GET", "/-/ready").statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/-/ready").statusCode()).isEqualTo(200);
        READY.set(false);
        Answer res = send("GET", "/-/ready");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).isEqualTo("Not ready.\n");
        assertThat(send("HEAD", "/-/ready").statusCode()).isEqualTo(503);
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void reloadSuccessIs200WithTheSummary() throws InterruptedException {
        NEXT_RELOAD.set(new Lifecycle.ReloadOutcome(true, "loaded config file x.yml: 1 auth module (a)"));
        Answer res = send("POST", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("loaded config file x.yml: 1 auth module (a)\n");
        assertThat(send("PUT", "/-/reload").statusCode()).isEqualTo(200);
        assertThat(RELOADS.get()).isEqualTo(2);
        // each answer sent tells the lifecycle, which restarts listeners (a TLS switch) only then; the handler does
        // so after the client has the answer, so wait for it
        awaitAnswered(2);
        assertThat(ANSWERED.get()).isEqualTo(2);
    }

    private static void awaitAnswered(int count) throws InterruptedException {
        for (int i = 0; i < 1000 && ANSWERED.get() < count; i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void reloadFailureIs500WithTheReason() {
        NEXT_RELOAD.set(new Lifecycle.ReloadOutcome(false, "config file x.yml is invalid: x.yml: unknown key \"a\""));
        Answer res = send("POST", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(500);
        assertThat(res.body()).isEqualTo("failed to reload config: config file x.yml is invalid: x.yml: unknown key \"a\"\n");
    }

    @Test
    void reloadByGetIsRefusedAndDoesNotReload() {
        Answer res = send("GET", "/-/reload");
        assertThat(res.statusCode()).isEqualTo(405);
        assertThat(res.headers().firstValue("Allow")).contains("POST, PUT");
        assertThat(RELOADS.get()).isZero();
        assertThat(ANSWERED.get()).isZero();
    }
}
