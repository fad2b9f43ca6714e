package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay between the socket from systemd and Helidon's loopback listener, against a plain echo server. */
class SocketRelayTest {
    /** Echoes every byte, then closes when the client half-closes. */
    private static Thread echo(ServerSocket server) {
        return Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Test
    void bytesGoBothWaysAndAHalfCloseEndsTheConnection() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ServerSocketChannel front = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            echo(target);
            int port = ((InetSocketAddress) front.getLocalAddress()).getPort();
            try (SocketRelay relay = SocketRelay.start(front, new InetSocketAddress("127.0.0.1", target.getLocalPort()), 4)) {
                byte[] payload = new byte[300_000];
                new Random(7).nextBytes(payload);
                for (int round = 0; round < 6; round++) { // more rounds than slots: every slot is given back
                    try (Socket client = new Socket("127.0.0.1", port)) {
                        client.setSoTimeout(30_000);
                        Thread writer = Thread.ofVirtual().start(() -> {
                            try {
                                OutputStream out = client.getOutputStream();
                                out.write(payload);
                                client.shutdownOutput();
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
                        InputStream in = client.getInputStream();
                        byte[] back = in.readAllBytes();
                        writer.join();
                        assertThat(Arrays.equals(back, payload)).as("round %d, %d bytes back", round, back.length).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void closingTheRelayStopsAcceptingAndClosesOpenConnections() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ServerSocketChannel front = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            echo(target);
            int port = ((InetSocketAddress) front.getLocalAddress()).getPort();
            SocketRelay relay = SocketRelay.start(front, new InetSocketAddress("127.0.0.1", target.getLocalPort()), 4);
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(30_000);
                client.getOutputStream().write(1);
                assertThat(client.getInputStream().read()).isEqualTo(1);
                assertThat(relay.openConnections()).isEqualTo(1);
                relay.close();
                assertThat(client.getInputStream().read()).as("the relay closed the connection").isEqualTo(-1);
            }
            assertThat(front.isOpen()).isFalse();
        }
    }

    @Test
    void aTargetThatRefusesClosesTheClientAndGivesTheSlotBack() throws Exception {
        int refusing;
        try (ServerSocket gone = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            refusing = gone.getLocalPort();
        }
        try (ServerSocketChannel front = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketRelay relay = SocketRelay.start(front, new InetSocketAddress("127.0.0.1", refusing), 1)) {
            int port = ((InetSocketAddress) front.getLocalAddress()).getPort();
            for (int i = 0; i < 3; i++) { // one slot: a slot not given back would leave the second client unanswered
                try (Socket client = new Socket("127.0.0.1", port)) {
                    client.setSoTimeout(30_000);
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
            }
            assertThat(relay.openConnections()).isZero();
        }
    }
}
