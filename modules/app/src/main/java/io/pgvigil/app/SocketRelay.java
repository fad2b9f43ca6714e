package io.pgvigil.app;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Serves a socket Helidon did not bind (the one systemd passes): accepts on it and copies every connection, both
 * ways and byte for byte, to a Helidon listener on a loopback address. TLS and basic auth stay Helidon's, since the
 * bytes pass through untouched; Helidon sees every client as the loopback address.
 *
 * <p>Each connection takes one of {@code maxConnections} slots (when all are taken, the relay stops accepting and
 * new clients wait in the socket's backlog) and two virtual threads, which end when both directions have ended
 * or either side fails; {@link #close()} stops accepting and closes every open connection.
 */
final class SocketRelay implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SocketRelay.class.getName());
    private static final int BUFFER = 16 * 1024;

    private final ServerSocketChannel inherited;
    private final InetSocketAddress target;
    private final Semaphore slots;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private SocketRelay(ServerSocketChannel inherited, InetSocketAddress target, int maxConnections) {
        this.inherited = inherited;
        this.target = target;
        this.slots = new Semaphore(maxConnections);
        this.acceptor = Thread.ofVirtual().name("pgvigil-relay-accept").unstarted(this::acceptLoop);
    }

    /**
     * @param inherited      the listening socket to serve
     * @param target         the Helidon listener every connection is copied to
     * @param maxConnections how many connections are relayed at once, at least 1
     * @return the started relay
     */
    static SocketRelay start(ServerSocketChannel inherited, InetSocketAddress target, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections < 1");
        }
        SocketRelay relay = new SocketRelay(inherited, target, maxConnections);
        relay.acceptor.start();
        return relay;
    }

    /** {@return how many connections are being relayed now} */
    int openConnections() {
        return open.size() / 2;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel client;
            try {
                client = inherited.accept();
            } catch (IOException e) {
                slots.release();
                if (!closed) {
                    LOG.log(Level.ERROR, "Stopped accepting on the socket from systemd", "err", String.valueOf(e.getMessage()));
                }
                return;
            }
            Thread.ofVirtual().name("pgvigil-relay").start(() -> relay(client));
        }
    }

    private void relay(SocketChannel client) {
        SocketChannel server = null;
        try {
            server = SocketChannel.open();
            track(client);
            track(server);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            server.connect(target);
            SocketChannel to = server;
            Thread back = Thread.ofVirtual().name("pgvigil-relay").start(() -> copy(to, client));
            copy(client, server);
            back.join();
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "Relay connection failed", "err", String.valueOf(e.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(server);
            closeQuietly(client); // last: once the client sees the end, nothing of this connection is open
            slots.release();
        }
    }

    private void track(SocketChannel channel) throws IOException {
        open.add(channel);
        if (closed) {
            closeQuietly(channel);
            throw new IOException("relay closed");
        }
    }

    /** Copies until {@code from} ends, then half-closes {@code to}; on a failure closes both, ending the other direction. */
    private void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            open.remove(channel);
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
        }
    }

    /** Stops accepting and closes every relayed connection (their threads then end). */
    @Override
    public void close() {
        closed = true;
        try {
            inherited.close();
        } catch (IOException ignored) {
            // already closed
        }
        acceptor.interrupt();
        for (SocketChannel c : Set.copyOf(open)) {
            closeQuietly(c);
        }
    }
}
