package io.pgvigil.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code client_allowed_sans} against a real certificate made here with keytool. */
class ClientSansTest {
    private static Certificate[] certificate(Path dir, String san) throws Exception {
        Path store = dir.resolve("c.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                                             "-genkeypair", "-alias", "c", "-keyalg", "EC", "-dname", "CN=client",
                                             "-ext", "san=" + san, "-validity", "2", "-storetype", "PKCS12",
                                             "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        return new Certificate[] {ks.getCertificate("c")};
    }

    @Test
    void aCertificateMustNameAnAllowedSanExactly(@TempDir Path dir) throws Exception {
        Optional<Certificate[]> cert = Optional.of(certificate(dir, "dns:prometheus.example,ip:::1,email:ops@example.org,uri:spiffe://x/prom"));
        assertThat(ClientSans.allowed(cert, List.of())).isTrue();
        assertThat(ClientSans.allowed(Optional.empty(), List.of())).isTrue();
        assertThat(ClientSans.allowed(cert, List.of("other.example", "prometheus.example"))).isTrue();
        assertThat(ClientSans.allowed(cert, List.of("0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(ClientSans.allowed(cert, List.of("ops@example.org"))).isTrue();
        assertThat(ClientSans.allowed(cert, List.of("spiffe://x/prom"))).isTrue();
        assertThat(ClientSans.allowed(cert, List.of("PROMETHEUS.example"))).isFalse();
        assertThat(ClientSans.allowed(cert, List.of("prometheus"))).isFalse();
        assertThat(ClientSans.allowed(cert, List.of("client"))).as("the CN is not a SAN").isFalse();
        assertThat(ClientSans.allowed(cert, List.of("127.0.0.1"))).isFalse();
        assertThat(ClientSans.allowed(Optional.empty(), List.of("prometheus.example"))).as("no certificate").isFalse();
    }
}
