package io.pgvigil.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server with {@code ssl = on}, presenting a certificate of the {@link TestPki} and trusting client
 * certificates of its CA (see "TLS servers" in the module README). Three login roles, all members of
 * {@code pg_monitor}, each allowed over TLS only:
 * <ul>
 *   <li>{@link TestPki#CERT_ROLE}: a client certificate with that common name, no password
 *       ({@code hostssl ... cert clientcert=verify-full});</li>
 *   <li>{@link TestPki#CERT_PASSWORD_ROLE}: such a certificate <em>and</em> {@link #PASSWORD}
 *       ({@code hostssl ... scram-sha-256 clientcert=verify-full});</li>
 *   <li>{@link #PASSWORD_ROLE}: {@link #PASSWORD} over any TLS connection, no client certificate.</li>
 * </ul>
 * The superuser logs in as on every testkit server (over TCP with its password, TLS or not).
 */
public final class TlsServer implements AutoCloseable {

    /** The role that logs in with a password over TLS, without a client certificate. */
    public static final String PASSWORD_ROLE = "pgvigil_tls";
    /** The password of {@link #PASSWORD_ROLE} and of {@link TestPki#CERT_PASSWORD_ROLE}. */
    public static final String PASSWORD = "tls-Pa55word";

    private static final Map<String, TlsServer> SHARED = new ConcurrentHashMap<>();

    private final PgServer server;
    private final TestPki pki;
    private final TestPki.ServerCertificate certificate;

    private TlsServer(PgServer server, TestPki pki, TestPki.ServerCertificate certificate) {
        this.server = server;
        this.pki = pki;
        this.certificate = certificate;
    }

    /**
     * The TLS server of {@code major} shared by all tests of this JVM, presenting the
     * {@link TestPki.ServerCertificate#VALID valid} certificate; started on first use, stopped at JVM exit.
     */
    public static TlsServer shared(String major) {
        return SHARED.computeIfAbsent(PgServer.versionFor(major),
                v -> launch(v, TestPki.ServerCertificate.VALID, true));
    }

    /** A private TLS server of {@code major} presenting {@code certificate}; the caller must {@link #close()} it. */
    public static TlsServer start(String major, TestPki.ServerCertificate certificate) {
        return launch(PgServer.versionFor(major), Objects.requireNonNull(certificate, "certificate"), false);
    }

    private static TlsServer launch(String version, TestPki.ServerCertificate certificate, boolean shared) {
        TestPki pki = TestPki.shared();
        ServerConfig.Tls tls = new ServerConfig.Tls(pki.serverCertificate(certificate), pki.serverKey(),
                pki.caCertificate(),
                new ServerConfig.TlsRoles(TestPki.CERT_ROLE, TestPki.CERT_PASSWORD_ROLE, PASSWORD_ROLE));
        PgServer server = Launch.primary(version, shared, Optional.of(tls));
        try {
            server.createRole(TestPki.CERT_ROLE, null, "IN ROLE pg_monitor");
            server.createRole(TestPki.CERT_PASSWORD_ROLE, PASSWORD, "IN ROLE pg_monitor");
            server.createRole(PASSWORD_ROLE, PASSWORD, "IN ROLE pg_monitor");
        } catch (RuntimeException e) {
            server.remove();
            throw e;
        }
        return new TlsServer(server, pki, certificate);
    }

    /** The server, for set-up as the superuser. */
    public PgServer server() {
        return server;
    }

    /** The PKI its certificates come from. */
    public TestPki pki() {
        return pki;
    }

    /** The certificate it presents. */
    public TestPki.ServerCertificate certificate() {
        return certificate;
    }

    /** The TCP port on {@code 127.0.0.1} (and {@code localhost}). */
    public int port() {
        return server.port();
    }

    @Override
    public String toString() {
        return "TlsServer[" + server + ", " + certificate + "]";
    }

    /** Stops and deletes a private server; does nothing on a shared one. */
    @Override
    public void close() {
        server.close();
    }
}
