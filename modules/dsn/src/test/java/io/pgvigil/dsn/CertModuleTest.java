package io.pgvigil.dsn;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code type: cert}: the merge into a target, the record's rules, and that the passphrase never shows. */
class CertModuleTest {

    private static Credentials.Cert cert(Optional<Secret> pass, String mode) {
        return new Credentials.Cert("monitor", "/etc/pgvigil/client.crt", "/etc/pgvigil/client.key", pass,
                "/etc/pgvigil/ca.crt", mode);
    }

    @Test
    void theCertificateReplacesUserPasswordAndTlsParametersOfTargetAndOptions() {
        AuthModule module = new AuthModule("certs", cert(Optional.of(Secret.of("Key-Pa55")), "verify-full"),
                Map.of("application_name", "x"));
        ConnectionSpec merged = ConnectionSpec.parse(
                "postgresql://intruder:targetPW@db1/app?sslmode=disable&sslrootcert=/tmp/evil.crt&sslkey=/tmp/k")
                .withAuthModule(module);
        assertThat(merged.user()).contains("monitor");
        assertThat(merged.password()).isEmpty();
        assertThat(merged.parameters()).containsEntry("sslmode", "verify-full")
                .containsEntry("sslcert", "/etc/pgvigil/client.crt")
                .containsEntry("sslkey", "/etc/pgvigil/client.key")
                .containsEntry("sslrootcert", "/etc/pgvigil/ca.crt")
                .containsEntry("sslpassword", "Key-Pa55")
                .containsEntry("application_name", "x");
        assertThat(merged.redacted()).doesNotContain("Key-Pa55").doesNotContain("targetPW")
                .contains("sslpassword=******");
        assertThat(merged.driverProperties()).containsEntry("sslmode", "verify-full");
    }

    @Test
    void withoutPassphraseNoSslpasswordIsSet() {
        ConnectionSpec merged = ConnectionSpec.parse("db1")
                .withAuthModule(new AuthModule("c", cert(Optional.empty(), "verify-ca"), Map.of()));
        assertThat(merged.parameters()).doesNotContainKey("sslpassword").containsEntry("sslmode", "verify-ca");
    }

    @Test
    void toStringMasksThePassphraseAndNamesTheFiles() {
        AuthModule module = new AuthModule("certs", cert(Optional.of(Secret.of("Key-Pa55")), "verify-full"), Map.of());
        assertThat(module.toString()).doesNotContain("Key-Pa55").contains("sslpassword=******")
                .contains("sslkey=/etc/pgvigil/client.key");
        assertThat(cert(Optional.empty(), "verify-ca").toString()).contains("sslpassword=(none)");
    }

    @Test
    void onlyVerifyingModesAndNoEmptyFields() {
        for (String mode : new String[] {"require", "prefer", "disable", "allow", ""}) {
            assertThatThrownBy(() -> cert(Optional.empty(), mode)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cert.sslmode must be verify-ca or verify-full");
        }
        assertThatThrownBy(() -> new Credentials.Cert("u", "", "k", Optional.empty(), "r", "verify-full"))
                .hasMessage("cert.sslcert must not be empty");
        assertThatThrownBy(() -> new Credentials.Cert("", "c", "k", Optional.empty(), "r", "verify-full"))
                .hasMessage("cert.username must not be empty");
        assertThat(cert(Optional.empty(), "verify-full").type()).isEqualTo("cert");
    }
}
