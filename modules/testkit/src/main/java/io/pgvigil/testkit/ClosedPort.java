package io.pgvigil.testkit;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A port on {@code 127.0.0.1} where nothing listens, so that a connect is refused at once. */
public final class ClosedPort {

    private ClosedPort() {
    }

    /**
     * A port on {@code 127.0.0.1} where nothing listens right now (checked by a refused connect). Another process may
     * still bind it later; the window is small because the port comes from the kernel's ephemeral range just freed.
     */
    public static int find() {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                port = s.getLocalPort();
            } catch (IOException e) {
                last = e;
                continue;
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1000);
            } catch (ConnectException refused) {
                return port;
            } catch (IOException other) {
                last = other;
            }
        }
        throw new IllegalStateException("cannot find a closed port on 127.0.0.1", last);
    }
}
