package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.TestPki;
import io.pgvigil.testkit.TlsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pgvigil's own TLS set-up (client certificate in memory, {@link TlsSocketFactory}) against a real TLS server, through
 * {@link SessionDefaults#open}: the roles of the fixture can only log in over TLS, and the certificate role only with
 * a certificate the server accepts.
 */
class ClientTlsTest {

    private static TlsServer tls() {
        return TlsServer.shared(PgServer.majors().getLast());
    }

    private static String url(String user, String host, String params) {
        return "postgresql://" + user + "@" + host + ":" + tls().port() + "/postgres?" + params;
    }

    private static String identity(TestPki.ClientIdentity id) {
        return "&sslcert=" + id.certificate() + "&sslkey=" + id.key();
    }

    private static String root(Path ca) {
        return "&sslrootcert=" + ca;
    }

    /** The session's user and whether it uses TLS. */
    private static String whoAndTls(ConnectionSpec spec) throws SQLException {
        try (Connection c = SessionDefaults.open(spec, SessionDefaults.DEFAULT_LOCK_TIMEOUT);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getString(1);
        } finally {
            assertThat(TlsSocketFactory.registered()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyForm.class)
    void everyKeyFormLogsInWithVerifyFull(TestPki.KeyForm form) throws SQLException {
        TestPki pki = tls().pki();
        String pass = form == TestPki.KeyForm.RSA_PKCS8_ENCRYPTED ? "&sslpassword=" + TestPki.KEY_PASSPHRASE : "";
        ConnectionSpec spec = ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-full" + root(pki.caCertificate()) + identity(pki.client(form)) + pass));
        assertThat(whoAndTls(spec)).isEqualTo(TestPki.CERT_ROLE + " true");
    }

    @Test
    void verifyCaAcceptsAnyHostNameVerifyFullOnlyTheRightOne() throws SQLException {
        TestPki pki = tls().pki();
        String id = identity(pki.client(TestPki.KeyForm.RSA_PKCS1_PEM));
        assertThat(whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "127.0.0.1",
                "sslmode=verify-full" + root(pki.caCertificate()) + id)))).isEqualTo(TestPki.CERT_ROLE + " true");
        try (TlsServer other = TlsServer.start(PgServer.majors().getLast(), TestPki.ServerCertificate.OTHER_HOST)) {
            String base = "postgresql://" + TestPki.CERT_ROLE + "@localhost:" + other.port() + "/postgres?";
            assertThat(whoAndTls(ConnectionSpec.parse(base + "sslmode=verify-ca" + root(pki.caCertificate()) + id)))
                    .isEqualTo(TestPki.CERT_ROLE + " true");
            assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(base + "sslmode=verify-full"
                    + root(pki.caCertificate()) + id)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("localhost");
        }
    }

    @Test
    void anUnknownCaOrAnExpiredServerCertificateIsRefused() {
        TestPki pki = tls().pki();
        String id = identity(pki.client(TestPki.KeyForm.EC_SEC1_PEM));
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-ca" + root(pki.unknownCaCertificate()) + id))))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL");
        // require with a root certificate verifies it, as libpq does
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=require" + root(pki.unknownCaCertificate()) + id))))
                .isInstanceOf(SQLException.class);
        try (TlsServer expired = TlsServer.start(PgServer.majors().getLast(), TestPki.ServerCertificate.EXPIRED)) {
            String base = "postgresql://" + TestPki.CERT_ROLE + "@localhost:" + expired.port() + "/postgres?";
            assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(base + "sslmode=verify-full"
                    + root(pki.caCertificate()) + id)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("SSL");
        }
    }

    @Test
    void requireWithoutRootEncryptsWithoutVerifying() throws SQLException {
        TestPki pki = tls().pki();
        assertThat(whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=require" + identity(pki.client(TestPki.KeyForm.EC_PKCS8_PEM))))))
                .isEqualTo(TestPki.CERT_ROLE + " true");
    }

    @Test
    void aCertificateOfAnUnknownCaIsRefusedByTheServer() {
        TestPki pki = tls().pki();
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-full" + root(pki.caCertificate()) + identity(pki.unknownCaClient())))))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void passwordAndCertificateTogether() throws SQLException {
        TestPki pki = tls().pki();
        String base = "postgresql://" + TestPki.CERT_PASSWORD_ROLE + ":" + TlsServer.PASSWORD + "@localhost:"
                + tls().port() + "/postgres?sslmode=verify-full" + root(pki.caCertificate());
        assertThat(whoAndTls(ConnectionSpec.parse(base + identity(pki.passwordRoleClient()))))
                .isEqualTo(TestPki.CERT_PASSWORD_ROLE + " true");
        // the password alone is not enough: clientcert=verify-full
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(base))).isInstanceOf(SQLException.class);
        // a certificate with another name is refused by clientcert=verify-full
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(base + identity(pki.client(TestPki.KeyForm.RSA_PKCS8_PEM)))))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void unusableFilesAreClearErrorsWithoutSecrets() {
        TestPki pki = tls().pki();
        TestPki.ClientIdentity enc = pki.client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED);
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-full" + root(pki.caCertificate()) + identity(enc) + "&sslpassword=N0t-The-Passphrase"))))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("client certificate: sslkey " + enc.key())
                .hasMessageContaining("wrong sslpassword")
                .hasMessageNotContaining("N0t-The-Passphrase")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
        Path missing = pki.directory().resolve("missing.pem");
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-full" + root(pki.caCertificate()) + "&sslcert=" + missing + "&sslkey=" + enc.key()))))
                .hasMessageContaining("sslcert " + missing + " cannot be read");
        // the EC key with the RSA certificate
        assertThatThrownBy(() -> whoAndTls(ConnectionSpec.parse(url(TestPki.CERT_ROLE, "localhost",
                "sslmode=verify-full" + root(pki.caCertificate()) + "&sslcert="
                + pki.client(TestPki.KeyForm.RSA_PKCS8_PEM).certificate() + "&sslkey="
                + pki.client(TestPki.KeyForm.EC_PKCS8_PEM).key()))))
                .hasMessageContaining("does not belong to the certificate");
    }
}
