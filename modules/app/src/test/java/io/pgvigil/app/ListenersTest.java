package io.pgvigil.app;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every {@code --web.listen-address} is bound and served by the same routes; one that cannot be bound stops pgvigil. */
class ListenersTest {
    /**
     * {@return the status line and the body of a GET of / (the module does not read java.net.http): headers up to
     * the blank line, then Content-Length bytes}
     */
    private static String get(String host, int port) throws Exception {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            byte[] body = new byte[length.find() ? Integer.parseInt(length.group(1)) : 0];
            in.readFully(body);
            return head.substring(0, head.indexOf("\r\n")) + "\n" + new String(body, StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyAddressIsBoundAndServedByTheOneRouting() throws Exception {
        Listeners listeners = Listeners.parse(List.of("127.0.0.1:0", "127.0.0.1:0", "[::1]:0"));
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpRouting.Builder routing = HttpRouting.builder().get("/", (req, res) -> {
            seen.add(req.localPeer().address().toString());
            res.send("one routing");
        });
        WebServer server = listeners.configure(WebServer.builder(), routing, Optional.empty(),
                                               l -> l.connectionOptions(o -> o.tcpNoDelay(true)))
                .shutdownHook(false)
                .build()
                .start();
        listeners.requireAllBound(server);
        try {
            List<String> hosts = List.of("127.0.0.1", "127.0.0.1", "::1");
            List<Integer> ports = listeners.socketNames().stream().map(server::port).toList();
            assertThat(ports).hasSize(3).doesNotHaveDuplicates().allMatch(p -> p > 0);
            for (int i = 0; i < 3; i++) {
                String answer = get(hosts.get(i), ports.get(i));
                assertThat(answer).isEqualTo("HTTP/1.1 200 OK\none routing");
            }
            assertThat(seen).hasSize(3);
            assertThat(seen.get(1)).endsWith(":" + ports.get(1));
            assertThat(seen.get(2)).contains("0:0:0:0:0:0:0:1").endsWith(":" + ports.get(2));
        } finally {
            server.stop();
        }
    }

    @Test
    void anAddressThatCannotBeBoundFailsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Listeners listeners = Listeners.parse(List.of("127.0.0.1:0", "127.0.0.1:" + taken.getLocalPort()));
            WebServer server = listeners.configure(WebServer.builder(), HttpRouting.builder().get("/", (req, res) -> res.send("x")),
                                                   Optional.empty(), l -> { })
                    .shutdownHook(false)
                    .build()
                    .start();
            assertThatThrownBy(() -> listeners.requireAllBound(server))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("not listening on 127.0.0.1:0, 127.0.0.1:" + taken.getLocalPort()
                                + ": an address is in use or not available (the listener error above names it)");
            assertThat(server.isRunning()).isFalse();
        }
    }

    @Test
    void mainExitsWithOneAndLogsTheAddressesWhenOneCannotBeBound(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // Logging writes to System.err
            int exit = Main.run(new String[] {"--web.listen-address=127.0.0.1:0", "--web.listen-address=" + busy,
                                              "--config.file=" + dir.resolve("none.yml"), "--log.level=info"},
                                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
            assertThat(exit).isEqualTo(1);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains(
                    "level=error source=Main msg=\"Error running HTTP server\" address=127.0.0.1:0," + busy,
                    "msg=\"Failed to start listener: /" + busy + "\"",
                    "err=\"not listening on 127.0.0.1:0, " + busy + ": an address is in use or not available")
                    .doesNotContain("msg=\"Listening on\"");
        } finally {
            System.setErr(stderr);
            Logging.configure("info", "logfmt");
        }
    }

    @Test
    void systemdSocketActivationWithoutASocketFromSystemdIsRefusedWithAReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"--web.systemd-socket", "--log.level=info"}, new PrintStream(new ByteArrayOutputStream()),
                            new PrintStream(err, true, StandardCharsets.UTF_8));
        Logging.configure("info", "logfmt");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("pgvigil: error: --web.systemd-socket: no socket from systemd "
                + "(LISTEN_PID and LISTEN_FDS are not set; start pgvigil through a .socket unit)\n");
    }
}
