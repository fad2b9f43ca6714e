package io.pgvigil.connect;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLSocketFactory;

/**
 * The {@code sslfactory} pgvigil hands to pgjdbc for a connection with a client certificate; not for use outside
 * pgvigil. pgjdbc instantiates it by reflection with the connection's {@link Properties}, which carry only strings,
 * so the socket factory built in memory by {@code ClientTls} cannot travel in them: it is registered here under a
 * random token for the duration of one {@code DriverManager.getConnection} call, and the token travels as
 * {@code sslfactoryarg}. Public in the exported package because pgjdbc (the named module {@code org.postgresql} in
 * the image) must be able to call its constructor.
 */
public final class TlsSocketFactory extends SSLSocketFactory {

    private static final Map<String, SSLSocketFactory> REGISTERED = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SSLSocketFactory delegate;

    /**
     * Called by pgjdbc.
     *
     * @param info the connection properties; {@code sslfactoryarg} names a registered factory
     * @throws IllegalStateException when no factory is registered under that token
     */
    public TlsSocketFactory(Properties info) {
        String token = info.getProperty("sslfactoryarg", "");
        SSLSocketFactory registered = REGISTERED.get(token);
        if (registered == null) {
            throw new IllegalStateException("no TLS set-up registered for this connection (pgvigil's socket factory"
                    + " is only usable through pgvigil)");
        }
        this.delegate = registered;
    }

    /** Makes {@code factory} available to the connection being opened, until the registration is closed. */
    static Registration register(SSLSocketFactory factory) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String token = HexFormat.of().formatHex(id);
        REGISTERED.put(token, factory);
        return new Registration(token);
    }

    /** @return how many registrations are open (for tests: none once connections are set up) */
    static int registered() {
        return REGISTERED.size();
    }

    /**
     * One registration; closing it removes the factory again.
     *
     * @param token the value for {@code sslfactoryarg}
     */
    record Registration(String token) implements AutoCloseable {
        @Override
        public void close() {
            REGISTERED.remove(token);
        }
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket() throws IOException {
        return delegate.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }
}
