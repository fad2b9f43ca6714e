package io.pgvigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;

class NetworkFixturesTest {

    @Test
    void blackHoleAcceptsButNeverAnswers() throws Exception {
        try (BlackHoleServer hole = BlackHoleServer.start(); Socket s = new Socket()) {
            assertThat(hole.host()).isEqualTo("127.0.0.1");
            s.connect(new InetSocketAddress(hole.host(), hole.port()), 2000);
            assertThat(s.isConnected()).isTrue();
            s.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 210, 22, 47}); // an SSLRequest
            s.setSoTimeout(300);
            InputStream in = s.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void blackHoleCountsConnectionsAndClosesThem() throws Exception {
        BlackHoleServer hole = BlackHoleServer.start();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hole.host(), hole.port()), 2000);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (hole.acceptedConnections() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(hole.acceptedConnections()).isEqualTo(1);
            hole.close();
            s.setSoTimeout(2000);
            assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the server on close()
        }
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", hole.port()), 2000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void closedPortRefusesConnections() {
        int port = ClosedPort.find();
        assertThat(port).isBetween(1, 65535);
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", port), 2000))
                    .isInstanceOf(ConnectException.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
