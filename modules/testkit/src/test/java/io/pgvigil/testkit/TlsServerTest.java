package io.pgvigil.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS fixture with pgjdbc's own TLS code (LibPQFactory), independent of pgvigil. */
class TlsServerTest {

    private static Properties props(String user, String password, String sslmode, java.nio.file.Path root) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("sslmode", sslmode);
        if (root != null) {
            p.setProperty("sslrootcert", root.toString());
        }
        p.setProperty("connectTimeout", "10");
        return p;
    }

    private static String sslUsed(TlsServer tls, String host, Properties p) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + tls.port() + "/postgres", p);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ssl::text || ' ' || current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pgvigil.testkit.PgServer#majors")
    void passwordRoleOverVerifiedTls(String major) throws SQLException {
        TlsServer tls = TlsServer.shared(major);
        TestPki pki = tls.pki();
        assertEquals("true " + TlsServer.PASSWORD_ROLE, sslUsed(tls, "localhost",
                props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-full", pki.caCertificate())));
        assertEquals("true " + TlsServer.PASSWORD_ROLE, sslUsed(tls, "127.0.0.1",
                props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-full", pki.caCertificate())));
        // Without TLS the same role is rejected by the hostnossl rule.
        SQLException plain = assertThrows(SQLException.class, () -> sslUsed(tls, "127.0.0.1",
                props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "disable", null)));
        assertEquals("28000", plain.getSQLState(), plain.getMessage());
        // A CA the client does not know.
        SQLException unknown = assertThrows(SQLException.class, () -> sslUsed(tls, "127.0.0.1",
                props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-ca", pki.unknownCaCertificate())));
        assertTrue(unknown.getMessage().contains("SSL"), unknown.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.pgvigil.testkit.PgServer#majors")
    void certRoleWithPgjdbcsOwnDerKey(String major) throws SQLException {
        TlsServer tls = TlsServer.shared(major);
        TestPki.ClientIdentity id = tls.pki().client(TestPki.KeyForm.RSA_PKCS8_DER);
        Properties p = props(TestPki.CERT_ROLE, null, "verify-full", tls.pki().caCertificate());
        p.setProperty("sslcert", id.certificate().toString());
        p.setProperty("sslkey", id.key().toString());
        assertEquals("true " + TestPki.CERT_ROLE, sslUsed(tls, "localhost", p));
        // Without a client certificate the cert rule refuses the login.
        Properties none = props(TestPki.CERT_ROLE, null, "verify-full", tls.pki().caCertificate());
        none.setProperty("sslcert", tls.pki().directory().resolve("missing.crt").toString());
        none.setProperty("sslkey", tls.pki().directory().resolve("missing.key").toString());
        assertThrows(SQLException.class, () -> sslUsed(tls, "localhost", none));
    }

    @Test
    void expiredAndOtherHostCertificates() throws SQLException {
        String major = PgServer.majors().getLast();
        try (TlsServer expired = TlsServer.start(major, TestPki.ServerCertificate.EXPIRED)) {
            Properties p = props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-ca", expired.pki().caCertificate());
            SQLException e = assertThrows(SQLException.class, () -> sslUsed(expired, "127.0.0.1", p));
            assertTrue(e.getMessage().contains("SSL"), e.getMessage());
            assertEquals("true " + TlsServer.PASSWORD_ROLE, sslUsed(expired, "127.0.0.1",
                    props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "require", null)));
        }
        try (TlsServer other = TlsServer.start(major, TestPki.ServerCertificate.OTHER_HOST)) {
            Properties ca = props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-ca", other.pki().caCertificate());
            assertEquals("true " + TlsServer.PASSWORD_ROLE, sslUsed(other, "localhost", ca));
            Properties full = props(TlsServer.PASSWORD_ROLE, TlsServer.PASSWORD, "verify-full", other.pki().caCertificate());
            assertThrows(SQLException.class, () -> sslUsed(other, "localhost", full));
        }
    }

    @Test
    void keyFilesHaveTheirForms() throws Exception {
        TestPki pki = TestPki.shared();
        assertTrue(Files.readString(pki.client(TestPki.KeyForm.RSA_PKCS8_PEM).key()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(pki.client(TestPki.KeyForm.RSA_PKCS1_PEM).key()).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(Files.readString(pki.client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED).key())
                .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assertEquals(0x30, Files.readAllBytes(pki.client(TestPki.KeyForm.RSA_PKCS8_DER).key())[0]);
        assertTrue(Files.readString(pki.client(TestPki.KeyForm.EC_SEC1_PEM).key()).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        assertTrue(Files.readString(pki.client(TestPki.KeyForm.EC_PKCS8_PEM).key()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(pki.serverKey())));
    }
}
