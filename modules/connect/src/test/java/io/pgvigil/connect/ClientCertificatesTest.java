package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.TestPki;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The load-time check of a module's client certificate. */
class ClientCertificatesTest {

    private static AuthModule cert(TestPki.KeyForm form, Optional<String> passphrase) {
        TestPki pki = TestPki.shared();
        TestPki.ClientIdentity id = pki.client(form);
        return new AuthModule("m", new Credentials.Cert("u", id.certificate().toString(), id.key().toString(),
                passphrase.map(Secret::of), pki.caCertificate().toString(), "verify-full"), Map.of());
    }

    @Test
    void aUsableCertificateOrNoneIsNoProblem() {
        assertThat(ClientCertificates.problem(cert(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED,
                Optional.of(TestPki.KEY_PASSPHRASE)))).isEmpty();
        assertThat(ClientCertificates.problem(cert(TestPki.KeyForm.EC_SEC1_PEM, Optional.empty()))).isEmpty();
        assertThat(ClientCertificates.problem(new AuthModule("p", new Credentials.UserPass("u", Secret.of("p")),
                Map.of("sslmode", "verify-full")))).isEmpty();
    }

    @Test
    void aWrongPassphraseOrAMissingOneIsNamedWithoutThePassphrase() {
        String key = TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED).key().toString();
        assertThat(ClientCertificates.problem(cert(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED, Optional.of("Wr0ng-Pass"))))
                .hasValueSatisfying(p -> assertThat(p).startsWith("sslkey " + key + ": cannot decrypt")
                        .doesNotContain("Wr0ng-Pass"));
        assertThat(ClientCertificates.problem(cert(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED, Optional.empty())))
                .contains("sslkey " + key + ": the key is encrypted and no sslpassword is configured");
        // userpass with a certificate in options is checked too
        TestPki.ClientIdentity id = TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_PEM);
        assertThat(ClientCertificates.problem(new AuthModule("p", new Credentials.UserPass("u", Secret.of("p")),
                Map.of("sslcert", id.certificate().toString(), "sslkey", id.certificate().toString()))))
                .hasValueSatisfying(p -> assertThat(p).contains("holds no private key block"));
    }
}
