package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on {@code 127.0.0.1} (random port) that accepts connections and never sends a byte, nor reads one:
 * a client's connect succeeds and then its first read (e.g. a PostgreSQL startup reply) hangs until its own timeout.
 * Accepted sockets stay open until {@link #close()}.
 */
public final class BlackHoleServer implements AutoCloseable {

    private final ServerSocket listener;
    private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger acceptedCount = new AtomicInteger();
    private final Thread acceptor;

    private BlackHoleServer() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        acceptor = Thread.ofVirtual().name("black-hole-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    /** Starts a black hole on a random port. */
    public static BlackHoleServer start() {
        try {
            return new BlackHoleServer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                acceptedCount.incrementAndGet();
                accepted.add(s);
                if (listener.isClosed()) {
                    closeQuietly(s);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port it listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections were accepted so far. */
    public int acceptedConnections() {
        return acceptedCount.get();
    }

    /** Stops listening and closes the accepted connections. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : accepted) {
            closeQuietly(s);
        }
        accepted.clear();
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
