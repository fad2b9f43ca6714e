package io.pgvigil.app;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * In process, the rebuild that a reload switching TLS on or off asks for: the same port afterwards, nothing before
 * {@link Service#relisten()}, and a switch superseded by a newer reload is dropped.
 */
class TlsSwitchIT {
    private static final String TLS = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    private static final String PLAIN = "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n";

    private static int status(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                           HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aSwitchRebuildsOnTheSamePortOnlyWhenCarriedOutAndANewerReloadSupersedesIt(@TempDir Path dir) throws Exception {
        KeyStore serverKeys = WebConfigIT.keyPair(dir, "server");
        Path web = dir.resolve("web.yml");
        Files.writeString(web, PLAIN);
        WebConfigFile webConfig = new WebConfigFile(Optional.of(web));
        assertThat(webConfig.load(WebConfigFile.Phase.START, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.Applied.class);
        Service service = new Service(dir.resolve("missing.yml"), new ConfigState(), webConfig);
        HttpServers servers = new HttpServers(HttpRouting.builder().get("/x", (req, res) -> res.send("ok")), Duration.ofSeconds(5));
        Listeners listeners = Listeners.parse(List.of("127.0.0.1:0"));
        WebServer first = servers.start(servers.build(listeners, Optional.empty()), listeners);
        service.started(first, listeners, servers, Optional.empty());
        int port = first.port();
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpClient tls = WebConfigIT.client(serverKeys, null);
        try {
            assertThat(status(plain, "http://127.0.0.1:" + port + "/x")).isEqualTo(200);

            // a switch, then a newer reload back to the plain file: nothing happens
            Files.writeString(web, TLS);
            assertThat(service.reload().message()).endsWith("which switches TLS on: the listeners restart after this answer");
            assertThat(webConfig.get().tls()).as("not in force before the rebuild").isEmpty();
            Files.writeString(web, PLAIN);
            assertThat(service.reload().message()).endsWith("reloaded web config file " + web);
            service.relisten();
            assertThat(status(plain, "http://127.0.0.1:" + port + "/x")).isEqualTo(200);
            assertThat(first.isRunning()).isTrue();

            // the switch carried out: TLS on the same port, plain HTTP refused
            Files.writeString(web, TLS);
            service.reload();
            service.relisten();
            assertThat(first.isRunning()).isFalse();
            assertThat(webConfig.get().tls()).isPresent();
            assertThat(service.ready()).isTrue();
            assertThat(status(tls, "https://127.0.0.1:" + port + "/x")).isEqualTo(200);
            assertThatThrownBy(() -> status(plain, "http://127.0.0.1:" + port + "/x")).isInstanceOf(IOException.class);

            // and off again
            Files.writeString(web, PLAIN);
            service.reload();
            service.relisten();
            assertThat(webConfig.get().tls()).isEmpty();
            assertThat(status(plain, "http://127.0.0.1:" + port + "/x")).isEqualTo(200);
            assertThatThrownBy(() -> status(tls, "https://127.0.0.1:" + port + "/x")).isInstanceOf(IOException.class);
        } finally {
            service.stop("test");
        }
    }
    /** A reload to a TLS file whose key cannot be loaded: the reload fails and the running plain server stays. */
    @Test
    void aSwitchToTlsWhoseKeyCannotBeLoadedKeepsTheRunningServer(@TempDir Path dir) throws Exception {
        WebConfigIT.keyPair(dir, "server");
        Files.writeString(dir.resolve("broken.key"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        Path web = dir.resolve("web.yml");
        Files.writeString(web, PLAIN);
        WebConfigFile webConfig = new WebConfigFile(Optional.of(web));
        webConfig.load(WebConfigFile.Phase.START, Optional.empty());
        Service service = new Service(dir.resolve("missing.yml"), new ConfigState(), webConfig);
        HttpServers servers = new HttpServers(HttpRouting.builder().get("/x", (req, res) -> res.send("ok")), Duration.ofSeconds(5));
        Listeners listeners = Listeners.parse(List.of("127.0.0.1:0"));
        WebServer first = servers.start(servers.build(listeners, Optional.empty()), listeners);
        service.started(first, listeners, servers, Optional.empty());
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            for (String tls : List.of("tls_server_config:\n  cert_file: server.crt\n  key_file: broken.key\n",
                                      "tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n")) {
                Files.writeString(web, tls);
                var outcome = service.reload();
                assertThat(outcome.successful()).as(outcome.message()).isFalse();
                assertThat(outcome.message()).contains("web config file " + web).doesNotContain("switches TLS");
                service.reloadAnswered();
                service.relisten();
                assertThat(first.isRunning()).isTrue();
                assertThat(webConfig.get().tls()).isEmpty();
                assertThat(status(plain, "http://127.0.0.1:" + first.port() + "/x")).isEqualTo(200);
            }
        } finally {
            service.stop("test");
        }
    }

    /**
     * The image, switched to TLS by {@code POST /-/reload} while another process takes the port in the moment the
     * old listener has closed: neither the new nor the last good web config can bind again, so pgvigil says so and
     * stops with exit code 1 (a supervisor restarts it) instead of running without a listener.
     */
    @Test
    void aSwitchWhosePortIsTakenMeanwhileStopsWithExitCode1(@TempDir Path dir) throws Exception {
        WebConfigIT.keyPair(dir, "server");
        Path web = dir.resolve("web.yml");
        Files.writeString(web, PLAIN);
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, "auth_modules:\n  m:\n    type: userpass\n    userpass: {username: u, password: p}\n");
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--web.config.file=" + web, "--config.file=" + config)) {
            int port = image.port();
            AtomicReference<ServerSocket> taken = new AtomicReference<>();
            AtomicBoolean give = new AtomicBoolean();
            Thread grabber = Thread.ofPlatform().start(() -> {
                while (taken.get() == null && !give.get()) { // binds the moment the old listener is gone
                    try {
                        ServerSocket s = new ServerSocket();
                        s.setReuseAddress(true);
                        try {
                            s.bind(new InetSocketAddress("127.0.0.1", port));
                            taken.set(s);
                        } catch (IOException busy) {
                            s.close();
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            try {
                Files.writeString(web, TLS);
                HttpResponse<String> reload = image.post("/-/reload");
                assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
                assertThat(reload.body()).contains("switches TLS on");
                assertThat(image.process().waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
                assertThat(image.process().exitValue()).as(image.log()).isEqualTo(1);
                assertThat(image.log()).contains("Error switching TLS; starting the last good web config again",
                                                 "Restored the last good web config", "Error running HTTP server");
            } finally {
                give.set(true);
                grabber.join();
                if (taken.get() != null) {
                    taken.get().close();
                }
            }
        }
    }
}
