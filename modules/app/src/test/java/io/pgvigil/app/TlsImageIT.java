package io.pgvigil.app;

import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.TestPki;
import io.pgvigil.testkit.TlsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client certificates through the jlinked image, where pgjdbc is the named module {@code org.postgresql.jdbc} and must
 * reach pgvigil's {@code sslfactory} by reflection: {@code type: cert} modules with an encrypted PKCS#8, a PKCS#1 and
 * a SEC1 key, a userpass module with a certificate in its options, and a wrong passphrase, which is {@code pg_up 0}
 * and a log line without it.
 */
class TlsImageIT {

    @Test
    void certModulesProbeATlsServerFromTheImage(@TempDir Path dir) throws Exception {
        TlsServer tls = TlsServer.shared(PgServer.majors().getLast());
        TestPki pki = tls.pki();
        TestPki.ClientIdentity encrypted = pki.client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED);
        TestPki.ClientIdentity pkcs1 = pki.client(TestPki.KeyForm.RSA_PKCS1_PEM);
        TestPki.ClientIdentity sec1 = pki.client(TestPki.KeyForm.EC_SEC1_PEM);
        TestPki.ClientIdentity pw = pki.passwordRoleClient();
        String ca = pki.caCertificate().toString();
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  encrypted:
                    type: cert
                    cert: {username: %1$s, sslcert: %2$s, sslkey: %3$s, sslpassword: %4$s, sslrootcert: %5$s}
                    options: {dbname: postgres}
                  pkcs1:
                    type: cert
                    cert: {username: %1$s, sslcert: %6$s, sslkey: %7$s, sslrootcert: %5$s, sslmode: verify-ca}
                    options: {dbname: postgres}
                  sec1:
                    type: cert
                    cert: {username: %1$s, sslcert: %8$s, sslkey: %9$s, sslrootcert: %5$s}
                    options: {dbname: postgres}
                  wrong_passphrase:
                    type: cert
                    cert: {username: %1$s, sslcert: %2$s, sslkey: %3$s, sslpassword: Wr0ng-Passphrase, sslrootcert: %5$s}
                    options: {dbname: postgres}
                  both:
                    type: userpass
                    userpass: {username: %10$s, password: %11$s}
                    options: {dbname: postgres, sslmode: verify-full, sslrootcert: %5$s, sslcert: %12$s, sslkey: %13$s}
                """.formatted(TestPki.CERT_ROLE, encrypted.certificate(), encrypted.key(), TestPki.KEY_PASSPHRASE, ca,
                pkcs1.certificate(), pkcs1.key(), sec1.certificate(), sec1.key(), TestPki.CERT_PASSWORD_ROLE,
                TlsServer.PASSWORD, pw.certificate(), pw.key()));
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--config.file=" + config)) {
            for (String module : new String[] {"encrypted", "pkcs1", "sec1", "both"}) {
                HttpResponse<String> res = image.get("/probe?target=localhost%3A" + tls.port() + "&auth_module=" + module);
                assertThat(res.statusCode()).as(module).isEqualTo(200);
                assertThat(res.body()).as(module).contains("\npg_up 1\n",
                        "pg_scrape_collector_success{collector=\"stat_database\"} 1");
            }
            HttpResponse<String> wrong = image.get("/probe?target=localhost%3A" + tls.port()
                    + "&auth_module=wrong_passphrase");
            assertThat(wrong.body()).contains("\npg_up 0\n").doesNotContain("Wr0ng-Passphrase");
            image.awaitLog("cannot decrypt the encrypted key: wrong sslpassword", 10);
            String log = image.log();
            assertThat(log).contains("msg=\"Configured auth module\" module=encrypted type=cert")
                    .contains("msg=\"Client certificate of auth module cannot be used; probes with it will fail until it"
                            + " is fixed\" module=wrong_passphrase err=\"sslkey " + encrypted.key()
                            + ": cannot decrypt the encrypted key: wrong sslpassword")
                    .doesNotContain("module=encrypted err=")
                    .doesNotContain("Wr0ng-Passphrase").doesNotContain(TestPki.KEY_PASSPHRASE)
                    .doesNotContain(TlsServer.PASSWORD).doesNotContain("PRIVATE KEY");
        }
    }
}
