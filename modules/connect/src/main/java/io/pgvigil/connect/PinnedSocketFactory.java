package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import javax.net.SocketFactory;

/**
 * pgjdbc's {@code socketFactory} for a target checked against an auth module's allow-list
 * ({@link ConnectionSpec#pinned()}): sockets connect to the addresses that were checked, never to those of another
 * lookup. pgjdbc still knows the host <em>name</em>, so TLS {@code verify-full} checks the certificate against it.
 * Its sockets wait for the server's end on close, as {@link SessionSocketFactory}'s do.
 *
 * <p>pgjdbc instantiates this class by reflection (with the connection's {@link Properties}), which is why it is
 * public; it is not meant to be used otherwise. The addresses travel in {@code socketFactoryArg} as
 * {@code host|port|address,address;...}. With one host, {@link #createSocket()} hands pgjdbc a socket already
 * connected (each address tried in order, as libpq does), so pgjdbc resolves nothing; with several, pgjdbc asks the
 * socket to connect to {@code host:port} and the socket connects to that endpoint's first checked address instead.
 */
public final class PinnedSocketFactory extends SocketFactory {
    /** The pgjdbc property naming the factory. */
    static final String FACTORY = "socketFactory";
    /** The pgjdbc property passing the pins. */
    static final String ARGUMENT = "socketFactoryArg";

    private final Map<String, List<InetAddress>> pins;
    private final int connectTimeoutMillis;

    /**
     * Called by pgjdbc.
     *
     * @param info the connection properties: {@code socketFactoryArg} holds the pins, {@code connectTimeout} the
     *             time allowed per address in seconds (0 for none)
     */
    public PinnedSocketFactory(Properties info) {
        this.pins = decode(info.getProperty(ARGUMENT, ""));
        int seconds;
        try {
            seconds = Integer.parseInt(info.getProperty("connectTimeout", SessionDefaults.DEFAULT_CONNECT_TIMEOUT).trim());
        } catch (NumberFormatException e) {
            seconds = Integer.parseInt(SessionDefaults.DEFAULT_CONNECT_TIMEOUT);
        }
        this.connectTimeoutMillis = Math.max(0, seconds) * 1000;
    }

    /** The properties that make pgjdbc connect through this factory to the spec's pinned addresses. */
    static Map<String, String> properties(ConnectionSpec spec) {
        StringJoiner pins = new StringJoiner(";");
        spec.pinned().forEach((endpoint, addresses) -> pins.add(key(endpoint.host(), endpoint.port()) + "|"
                + String.join(",", addresses.stream().map(InetAddress::getHostAddress).toList())));
        return Map.of(FACTORY, PinnedSocketFactory.class.getName(), ARGUMENT, pins.toString());
    }

    @Override
    public Socket createSocket() throws IOException {
        if (pins.size() == 1) {
            Map.Entry<String, List<InetAddress>> only = pins.entrySet().iterator().next();
            return connected(only.getValue(), port(only.getKey()));
        }
        return new PinnedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(addresses(host, port), port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw new SocketException("binding a local address is not supported for a pinned target");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket(host.getHostAddress(), port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        throw new SocketException("binding a local address is not supported for a pinned target");
    }

    /** A socket connected to the first of {@code addresses} that accepts, each tried with the connect timeout. */
    private Socket connected(List<InetAddress> addresses, int port) throws IOException {
        if (addresses.isEmpty()) {
            throw new UnknownHostException("the host could not be resolved when it was checked against the auth module's targets");
        }
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new SessionSocket();
            try {
                socket.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
                return socket;
            } catch (IOException e) {
                socket.close();
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }

    private List<InetAddress> addresses(String host, int port) throws SocketException {
        List<InetAddress> addresses = pins.get(key(host, port));
        if (addresses == null) {
            throw new SocketException("refusing to connect to a host that was not checked against the auth module's targets");
        }
        return addresses;
    }

    /** For several hosts: connects to the checked address of whichever endpoint pgjdbc names. */
    private final class PinnedSocket extends SessionSocket {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress inet)) {
                throw new SocketException("unsupported address type");
            }
            List<InetAddress> addresses = addresses(inet.getHostString(), inet.getPort());
            if (addresses.isEmpty()) {
                throw new UnknownHostException("the host could not be resolved when it was checked against the auth module's targets");
            }
            // A socket cannot connect again after a failed attempt: the first checked address is the one.
            super.connect(new InetSocketAddress(addresses.getFirst(), inet.getPort()), timeout);
        }
    }

    private static String key(String host, int port) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.indexOf(':') >= 0) {
            bare = InetAddress.ofLiteral(bare).getHostAddress();
        }
        return bare.toLowerCase(Locale.ROOT) + "|" + port;
    }

    private static int port(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('|') + 1));
    }

    private static Map<String, List<InetAddress>> decode(String text) {
        Map<String, List<InetAddress>> pins = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return pins;
        }
        for (String pin : text.split(";")) {
            String[] parts = pin.split("\\|", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("malformed socketFactoryArg");
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (String literal : parts[2].split(",")) {
                if (!literal.isEmpty()) {
                    addresses.add(InetAddress.ofLiteral(literal));
                }
            }
            pins.put(key(parts[0], Integer.parseInt(parts[1])), List.copyOf(addresses));
        }
        return pins;
    }
}
