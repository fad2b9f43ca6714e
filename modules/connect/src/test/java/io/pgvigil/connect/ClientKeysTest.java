package io.pgvigil.connect;

import io.pgvigil.testkit.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every key form of the test PKI, read in memory, matching its certificate; and the failures, without secrets. */
class ClientKeysTest {

    private static Optional<char[]> passphrase(TestPki.KeyForm form) {
        return form == TestPki.KeyForm.RSA_PKCS8_ENCRYPTED
                ? Optional.of(TestPki.KEY_PASSPHRASE.toCharArray()) : Optional.empty();
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyForm.class)
    void everyFormIsReadAndBelongsToItsCertificate(TestPki.KeyForm form) throws Exception {
        TestPki.ClientIdentity id = TestPki.shared().client(form);
        PrivateKey key = ClientKeys.parse(Files.readAllBytes(id.key()), passphrase(form));
        X509Certificate cert;
        try (var in = Files.newInputStream(id.certificate())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        switch (key) {
            case RSAPrivateCrtKey rsa -> assertThat(rsa.getModulus()).isEqualTo(((RSAPublicKey) cert.getPublicKey()).getModulus());
            case ECPrivateKey ec -> assertThat(ec.getParams().getCurve())
                    .isEqualTo(((ECPublicKey) cert.getPublicKey()).getParams().getCurve());
            default -> throw new AssertionError("unexpected key type " + key.getAlgorithm());
        }
    }

    @Test
    void aWrongOrMissingPassphraseIsAClearErrorWithoutThePassphrase() throws Exception {
        byte[] encrypted = Files.readAllBytes(TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_ENCRYPTED).key());
        assertThatThrownBy(() -> ClientKeys.parse(encrypted, Optional.of("Wr0ng-Passphrase".toCharArray())))
                .isInstanceOf(ClientKeys.KeyException.class)
                .hasMessageContaining("wrong sslpassword")
                .hasMessageNotContaining("Wr0ng-Passphrase")
                .hasNoCause();
        assertThatThrownBy(() -> ClientKeys.parse(encrypted, Optional.empty()))
                .isInstanceOf(ClientKeys.KeyException.class)
                .hasMessageContaining("encrypted and no sslpassword");
    }

    @Test
    void notAKeyIsAClearErrorWithoutTheContents() throws Exception {
        byte[] cert = Files.readAllBytes(TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_PEM).certificate());
        assertThatThrownBy(() -> ClientKeys.parse(cert, Optional.empty()))
                .isInstanceOf(ClientKeys.KeyException.class)
                .hasMessageContaining("no private key block");
        String pem = Files.readString(TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_PEM).key());
        String body = pem.lines().skip(1).findFirst().orElseThrow();
        byte[] truncated = pem.substring(0, pem.length() / 2).concat("\n-----END PRIVATE KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ClientKeys.parse(truncated, Optional.empty()))
                .isInstanceOf(ClientKeys.KeyException.class)
                .hasMessageNotContaining(body.substring(0, 16));
        assertThatThrownBy(() -> ClientKeys.parse("garbage".getBytes(StandardCharsets.US_ASCII), Optional.empty()))
                .isInstanceOf(ClientKeys.KeyException.class)
                .hasMessageStartingWith("not a private key in PEM or DER form");
        byte[] legacy = ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ClientKeys.parse(legacy, Optional.of("x".toCharArray())))
                .hasMessageContaining("legacy OpenSSL-encrypted PEM");
    }

    @Test
    void anEcKeyAfterItsParametersBlockIsFound() throws Exception {
        String sec1 = Files.readString(TestPki.shared().client(TestPki.KeyForm.EC_SEC1_PEM).key());
        String withParams = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + sec1;
        assertThat(ClientKeys.parse(withParams.getBytes(StandardCharsets.US_ASCII), Optional.empty()))
                .isInstanceOf(ECPrivateKey.class);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"-v1 PBE-SHA1-3DES", "-v2 aes-128-cbc -v2prf hmacWithSHA1",
            "-v2 aes-256-cbc -v2prf hmacWithSHA512"})
    void otherEncryptionSchemesOfOpensslPkcs8(String scheme, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path out = dir.resolve("key.pem");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl", "pkcs8", "-topk8", "-in",
                TestPki.shared().client(TestPki.KeyForm.RSA_PKCS8_PEM).key().toString(), "-passout", "pass:s3cret-pp",
                "-out", out.toString()));
        command.addAll(java.util.List.of(scheme.split(" ")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
        assertThat(Files.readString(out)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(ClientKeys.parse(Files.readAllBytes(out), Optional.of("s3cret-pp".toCharArray())))
                .isInstanceOf(RSAPrivateCrtKey.class);
        assertThatThrownBy(() -> ClientKeys.parse(Files.readAllBytes(out), Optional.of("s3cret-pq".toCharArray())))
                .hasMessageContaining("wrong sslpassword");
    }
}
