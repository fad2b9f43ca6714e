package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots;
import io.pgvigil.testkit.TestPki;
import io.pgvigil.testkit.TlsServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scrapes through {@code type: cert} and {@code userpass} + client-certificate auth modules against the testkit's
 * TLS servers: {@code pg_up} 1 where the server and pgvigil should agree, 0 with a log line saying why where they
 * should not, and never a passphrase in the log.
 */
class TlsScrapingTest {

    private static String newest() {
        return PgServer.majors().getLast();
    }

    private static MetricSnapshots scrape(ConnectionSpec spec) {
        return new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault()).scrape(spec);
    }

    private static Optional<Double> up(ConnectionSpec spec) {
        return Snapshots.value(scrape(spec), "pg_up");
    }

    private static AuthModule certModule(TestPki.ClientIdentity id, Optional<String> passphrase, Path root, String mode) {
        return new AuthModule("certs", new Credentials.Cert(TestPki.CERT_ROLE, id.certificate().toString(),
                id.key().toString(), passphrase.map(Secret::of), root.toString(), mode), Map.of("dbname", "postgres"));
    }

    private static ConnectionSpec target(String host, int port, AuthModule module) {
        // The target asks for no TLS: the module's sslmode wins.
        return ConnectionSpec.parseUntrusted(host + ":" + port + "?sslmode=disable").withAuthModule(module);
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyForm.class)
    void everyKeyFormScrapesWithACertModule(TestPki.KeyForm form) {
        TlsServer tls = TlsServer.shared(newest());
        Optional<String> pass = form == TestPki.KeyForm.RSA_PKCS8_ENCRYPTED
                ? Optional.of(TestPki.KEY_PASSPHRASE) : Optional.empty();
        AuthModule module = certModule(tls.pki().client(form), pass, tls.pki().caCertificate(), "verify-full");
        MetricSnapshots m = scrape(target("localhost", tls.port(), module));
        assertThat(Snapshots.value(m, "pg_up")).contains(1.0);
        assertThat(Snapshots.value(m, "pg_scrape_collector_success", "collector", "stat_database")).contains(1.0);
    }

    @ParameterizedTest
    @MethodSource("io.pgvigil.testkit.PgServer#majors")
    void everyMajorWithVerifyCaAndVerifyFull(String major) {
        TlsServer tls = TlsServer.shared(major);
        TestPki.ClientIdentity id = tls.pki().client(TestPki.KeyForm.RSA_PKCS1_PEM);
        Path ca = tls.pki().caCertificate();
        assertThat(up(target("127.0.0.1", tls.port(), certModule(id, Optional.empty(), ca, "verify-full")))).contains(1.0);
        assertThat(up(target("localhost", tls.port(), certModule(id, Optional.empty(), ca, "verify-ca")))).contains(1.0);
    }

    @Test
    void untrustedServersAndRefusedCertificatesAreDown() {
        TlsServer tls = TlsServer.shared(newest());
        TestPki pki = tls.pki();
        TestPki.ClientIdentity id = pki.client(TestPki.KeyForm.EC_SEC1_PEM);
        try (LogLines log = new LogLines()) {
            assertThat(up(target("localhost", tls.port(),
                    certModule(id, Optional.empty(), pki.unknownCaCertificate(), "verify-ca")))).contains(0.0);
            assertThat(log.text()).contains("Error opening connection to database").contains("SSL error");
        }
        // A client certificate the server's CA did not sign.
        assertThat(up(target("localhost", tls.port(),
                certModule(pki.unknownCaClient(), Optional.empty(), pki.caCertificate(), "verify-full")))).contains(0.0);
        try (TlsServer other = TlsServer.start(newest(), TestPki.ServerCertificate.OTHER_HOST)) {
            assertThat(up(target("localhost", other.port(),
                    certModule(id, Optional.empty(), pki.caCertificate(), "verify-ca")))).contains(1.0);
            assertThat(up(target("localhost", other.port(),
                    certModule(id, Optional.empty(), pki.caCertificate(), "verify-full")))).contains(0.0);
        }
        try (TlsServer expired = TlsServer.start(newest(), TestPki.ServerCertificate.EXPIRED)) {
            assertThat(up(target("localhost", expired.port(),
                    certModule(id, Optional.empty(), pki.caCertificate(), "verify-ca")))).contains(0.0);
        }
    }

    @Test
    void aWrongPassphraseIsDownWithALogLineWithoutThePassphrase() {
        TlsServer tls = TlsServer.shared(newest());
        TestPki.ClientIdentity id = tls.pki().client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED);
        try (LogLines log = new LogLines()) {
            assertThat(up(target("localhost", tls.port(), certModule(id, Optional.of("Wr0ng-Passphrase"),
                    tls.pki().caCertificate(), "verify-full")))).contains(0.0);
            assertThat(log.text()).contains("Error opening connection to database")
                    .contains("client certificate: sslkey " + id.key() + ": cannot decrypt the encrypted key: wrong sslpassword")
                    .doesNotContain("Wr0ng-Passphrase").doesNotContain(TestPki.KEY_PASSPHRASE);
        }
    }

    @Test
    void userpassWithAClientCertificateAndUserpassOverTls() {
        TlsServer tls = TlsServer.shared(newest());
        TestPki pki = tls.pki();
        TestPki.ClientIdentity id = pki.passwordRoleClient();
        AuthModule both = new AuthModule("both", new Credentials.UserPass(TestPki.CERT_PASSWORD_ROLE,
                Secret.of(TlsServer.PASSWORD)), Map.of("dbname", "postgres", "sslmode", "verify-full",
                "sslrootcert", pki.caCertificate().toString(), "sslcert", id.certificate().toString(),
                "sslkey", id.key().toString()));
        assertThat(up(target("localhost", tls.port(), both))).contains(1.0);
        AuthModule wrongPassword = new AuthModule("both", new Credentials.UserPass(TestPki.CERT_PASSWORD_ROLE,
                Secret.of("not-" + TlsServer.PASSWORD)), both.options());
        assertThat(up(target("localhost", tls.port(), wrongPassword))).contains(0.0);
        Map<String, String> noCert = new java.util.TreeMap<>(both.options());
        noCert.remove("sslcert");
        noCert.remove("sslkey");
        assertThat(up(target("localhost", tls.port(), new AuthModule("both", both.credentials(), noCert))))
                .contains(0.0);
        // The password role over TLS without certificates, with pgjdbc's own TLS code: require, verify-ca, verify-full.
        for (String mode : List.of("require", "verify-ca", "verify-full")) {
            AuthModule password = new AuthModule("pw", new Credentials.UserPass(TlsServer.PASSWORD_ROLE,
                    Secret.of(TlsServer.PASSWORD)), Map.of("dbname", "postgres", "sslmode", mode,
                    "sslrootcert", pki.caCertificate().toString()));
            assertThat(up(target("localhost", tls.port(), password))).as(mode).contains(1.0);
        }
    }

    /** Every log record while open, as text. */
    private static final class LogLines extends Handler implements AutoCloseable {
        private final List<String> lines = new ArrayList<>();
        private final Logger root = Logger.getLogger("");

        LogLines() {
            setLevel(Level.ALL);
            root.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            lines.add(r.getMessage() + " " + Arrays.toString(r.getParameters()) + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        synchronized String text() {
            return String.join("\n", lines);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
        }
    }
}
