package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The image with several listen addresses, and started by systemd socket activation (sockets from fd 3). */
class ListenersIT {
    @Test
    void everyListenAddressIsBoundAndLogged(@TempDir Path dir) throws Exception {
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--web.listen-address=[::1]:0")) {
            Matcher m = Pattern.compile("msg=\"Listening on\" address=(\\S+):(\\d+)").matcher(image.log());
            List<String> bound = m.results().map(r -> r.group(1) + " " + r.group(2)).toList();
            assertThat(bound).hasSize(2);
            assertThat(bound.get(0)).startsWith("127.0.0.1 ");
            assertThat(bound.get(1)).startsWith("::1 ");
            int second = Integer.parseInt(bound.get(1).substring(4));
            try (java.net.Socket s = new java.net.Socket("::1", second)) {
                s.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(30_000);
                byte[] head = new byte[15];
                assertThat(s.getInputStream().readNBytes(head, 0, head.length)).isEqualTo(15);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
            }
        }
    }

    /** bcrypt (cost 10) of Web-Sec-pw-1, as in WebConfigIT. */
    private static final String HASH = "$2a$10$jwEZ2MbUNnk5TKFKwxmlceALJhSK0IyNnAJGFh0/lO29kXZo9HERO";

    /**
     * As systemd would: a listening socket on fd 3, LISTEN_FDS=1 and LISTEN_PID set to the PID that runs
     * pgvigil (python3 binds, then execs the launcher, which execs java: the PID stays the same). pgvigil serves
     * /metrics and /probe on that socket, with the web config's TLS and basic auth (the relay passes the bytes through).
     */
    @Test
    void aSocketPassedBySystemdIsServedWithTlsAndBasicAuth(@TempDir Path dir) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_sock", "Sock-pw-1");
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  m:
                    type: userpass
                    userpass: {username: pgvigil_sock, password: Sock-pw-1}
                    options: {sslmode: disable, dbname: postgres}
                """);
        Path web = dir.resolve("web.yml");
        KeyStore serverKeys = WebConfigIT.keyPair(dir, "server");
        Files.writeString(web, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                               + "basic_auth_users:\n  prometheus: " + HASH + "\n");
        Path launcher = Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil");
        Path log = dir.resolve("out.log");
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", SYSTEMD, launcher.toString(), "--web.systemd-socket",
                                               "--config.file=" + config, "--web.config.file=" + web)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DATA_SOURCE_NAME", mon.dsn("postgres"));
        Process p = pb.start();
        try {
            Pattern listening = Pattern.compile("bound (\\d+)\n[\\s\\S]*msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+) "
                                                + "http2=false tls=true systemd_socket=true relay_to=127\\.0\\.0\\.1:(\\d+)");
            Matcher m = listening.matcher("");
            for (int i = 0; i < 600 && !m.reset(Files.readString(log)).find() && p.isAlive(); i++) {
                Thread.sleep(50);
            }
            String out = Files.readString(log);
            assertThat(m.reset(out).find()).as(out).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(m.group(2)).isEqualTo(m.group(1));
            assertThat(m.group(3)).isNotEqualTo(m.group(1));

            HttpClient client = WebConfigIT.client(serverKeys, null);
            String auth = "Basic " + Base64.getEncoder().encodeToString("prometheus:Web-Sec-pw-1".getBytes(StandardCharsets.UTF_8));
            URI base = URI.create("https://127.0.0.1:" + port);
            HttpResponse<String> denied = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(denied.statusCode()).isEqualTo(401);
            for (int i = 0; i < 3; i++) { // keep-alive and new connections through the relay
                HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).header("Authorization", auth)
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("\npg_up 1\n");
            }
            HttpResponse<String> probe = client.send(HttpRequest.newBuilder(base.resolve(ImageProcess.probePath(mon.target(), "m")))
                    .header("Authorization", auth).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).isEqualTo(200);
            assertThat(probe.body()).contains("\npg_up 1\n");

            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).doesNotContain("Sock-pw-1", "Web-Sec-pw-1");
        } finally {
            p.destroyForcibly();
        }
    }

    /** Two sockets: the JDK can take over one, so pgvigil refuses with a reason instead of serving half. */
    @Test
    void twoSocketsPassedBySystemdAreRefusedWithAReason(@TempDir Path dir) throws Exception {
        Path launcher = Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil");
        Path log = dir.resolve("out.log");
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", SYSTEMD.replace("n = 1", "n = 2"), launcher.toString(),
                                               "--web.systemd-socket")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
            String out = Files.readString(log);
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("bound ", "pgvigil: error: --web.systemd-socket: systemd passed LISTEN_FDS=2 "
                                               + "(pgvigil.socket:pgvigil.socket) but pgvigil serves exactly one socket")
                    .doesNotContain("Listening on");
        } finally {
            p.destroyForcibly();
        }
    }

    private static final Path SOCKET_ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * systemd's own tool, as a .socket unit with one {@code ListenStream=}: it binds, waits for the first connection,
     * then execs the launcher with {@code LISTEN_FDS=1}; that first request and the next ones are served.
     */
    @Test
    void systemdSocketActivateWithOneSocketServesMetrics(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(SOCKET_ACTIVATE), "no " + SOCKET_ACTIVATE + " (Debian package systemd; scripts/bootstrap installs it as root)");
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_sock", "Sock-pw-1");
        int port = freePort();
        Path launcher = Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil");
        Path log = dir.resolve("out.log");
        ProcessBuilder pb = new ProcessBuilder(SOCKET_ACTIVATE.toString(), "-l", "127.0.0.1:" + port, "-E", "DATA_SOURCE_NAME",
                                               launcher.toString(), "--web.systemd-socket")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DATA_SOURCE_NAME", mon.dsn("postgres"));
        Process p = pb.start();
        try {
            awaitLog(p, log, "Listening on 127.0.0.1:" + port + " as 3.");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("\npg_up 1\n");
            }
            assertThat(Files.readString(log)).contains("systemd_socket=true");
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Two {@code ListenStream=} (systemd-socket-activate with two {@code -l}): pgvigil cannot serve the second
     * socket, so it stops at start with exit 1 and says so, instead of serving one of them.
     */
    @Test
    void systemdSocketActivateWithTwoSocketsIsAClearStartUpError(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(SOCKET_ACTIVATE), "no " + SOCKET_ACTIVATE + " (Debian package systemd; scripts/bootstrap installs it as root)");
        int first = freePort();
        int second = freePort();
        Path launcher = Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil");
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(SOCKET_ACTIVATE.toString(), "-l", "127.0.0.1:" + first, "-l", "127.0.0.1:" + second,
                                       "--fdname=web:web", launcher.toString(), "--web.systemd-socket")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitLog(p, log, "as 4.");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", second)) { // the first connection starts pgvigil
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
            }
            String out = Files.readString(log);
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("pgvigil: error: --web.systemd-socket: systemd passed LISTEN_FDS=2 (web:web) but pgvigil "
                                     + "serves exactly one socket").doesNotContain("Listening on\" address");
        } finally {
            p.destroyForcibly();
        }
    }

    private static void awaitLog(Process p, Path log, String text) throws Exception {
        for (int i = 0; i < 600 && p.isAlive() && !Files.readString(log).contains(text); i++) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains(text);
    }

    /** Binds n listening sockets on fds 3.., sets LISTEN_* as systemd does, and execs argv[1] with the rest. */
    private static final String SYSTEMD = """
            import os, socket, sys
            n = 1
            keep = []  # a dropped socket object would close its fd
            for i in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                s.listen(16)
                keep.append(s)
                os.dup2(s.fileno(), 3 + i)
                os.set_inheritable(3 + i, True)
                print("bound", s.getsockname()[1], flush=True)
            os.environ["LISTEN_FDS"] = str(n)
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.environ["LISTEN_FDNAMES"] = ":".join(["pgvigil.socket"] * n)
            os.execv(sys.argv[1], sys.argv[1:])
            """;
}
