package io.pgvigil.connect;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * pgjdbc's {@code socketFactory} for a target that is not {@linkplain PinnedSocketFactory pinned}: plain sockets whose
 * close waits until the server ended the session ({@link SessionSocket}), so that a connection closed by the pool has
 * given its slot back on the server before the pool counts it as gone.
 *
 * <p>pgjdbc instantiates this class by reflection, which is why it is public; it is not meant to be used otherwise.
 */
public final class SessionSocketFactory extends SocketFactory {

    /**
     * Called by pgjdbc.
     *
     * @param info the connection properties (unused)
     */
    public SessionSocketFactory(Properties info) {
        // Nothing to configure: pgjdbc connects the socket with its own timeouts.
    }

    @Override
    public Socket createSocket() {
        return new SessionSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** A session socket connected to {@code remote}, bound first to {@code local} unless that is null. */
    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = new SessionSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
