package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pinned target still has its certificate checked against its host <em>name</em> under {@code verify-full}: a fake
 * server on 127.0.0.1 answers PostgreSQL's SSLRequest and presents a certificate for {@code localhost} only (trusted
 * through {@code sslrootcert}). Pinned to the same address, {@code localhost} passes the name check and a name that is
 * not on the certificate fails it.
 */
class PinnedTlsNameTest {
    private static final String STORE_PASSWORD = "tls-store-pw";
    @TempDir
    static Path dir;
    private static ServerSocket listener;
    private static Thread acceptor;
    private static Path rootCert;

    @BeforeAll
    static void fakeTlsServer() throws Exception {
        Path store = dir.resolve("server.p12");
        rootCert = dir.resolve("root.pem");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost",
            "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
            "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
            "-storepass", STORE_PASSWORD, "-file", rootCert.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        acceptor = Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket plain = listener.accept();
                    Thread.ofVirtual().start(() -> serve(tls, plain));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Answers the SSLRequest with 'S', completes the handshake, then hangs up (no PostgreSQL behind it). */
    private static void serve(SSLContext tls, Socket plain) {
        try (plain) {
            new DataInputStream(plain.getInputStream()).readFully(new byte[8]);
            plain.getOutputStream().write('S');
            plain.getOutputStream().flush();
            try (SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true)) {
                secure.setUseClientMode(false);
                secure.startHandshake();
                secure.getInputStream().read();
            }
        } catch (IOException e) {
            // The client gave up (name check failed) or was hung up on: both expected.
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    @AfterAll
    static void stop() throws IOException {
        listener.close();
    }

    private static SQLException connect(String host) {
        int port = listener.getLocalPort();
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://u:pw@" + host + ":" + port + "/postgres?sslmode=verify-full"
                                                   + "&sslrootcert=" + rootCert)
                .pinnedTo(Map.of(new Endpoint(host, port), List.of(InetAddress.ofLiteral("127.0.0.1"))));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Lease lease = ConnectionSource.fresh().lease(spec, deadline)) {
            throw new AssertionError("the fake server cannot log anyone in");
        } catch (SQLException e) {
            return e;
        }
    }

    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t).append('\n');
        }
        return out.toString();
    }

    @Test
    void theCertificateIsCheckedAgainstTheNameNotThePinnedAddress() {
        String wrongName = messages(connect("pgvigil-tls.invalid"));
        assertThat(wrongName).contains("The hostname pgvigil-tls.invalid could not be verified");
        // The same address under the certificate's name: trusted and verified, then the fake server hangs up.
        String rightName = messages(connect("localhost"));
        assertThat(rightName).doesNotContainIgnoringCase("hostname").doesNotContain("PKIX").contains("EOFException");
    }
}
