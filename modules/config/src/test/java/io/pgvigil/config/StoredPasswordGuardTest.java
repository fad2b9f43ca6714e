package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password from the config file is a stored credential: guarded against cleartext to unverified servers. */
class StoredPasswordGuardTest {
    @Test
    void passwordsFromTheFileAreGuardedUntilTheModuleAllowsCleartext(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, """
                auth_modules:
                  plain:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-one}
                  verified:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-two}
                    options: {sslmode: verify-full, sslrootcert: /etc/pgvigil/ca.pem}
                """);
        AuthConfig config = ConfigLoader.load(file).config();
        Secret plain = ((Credentials.UserPass) config.modules().get("plain").credentials()).password();
        assertThat(plain.isGuarded()).isTrue();

        assertThat(ConnectionSpec.parse("db1").withAuthModule(config.modules().get("plain")).driverProperties())
                .containsEntry("requireAuth", "!password");
        assertThat(ConnectionSpec.parse("db1").withAuthModule(config.modules().get("verified")).driverProperties())
                .doesNotContainKey("requireAuth");
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void allowingCleartextWithoutVerifiedTlsIsAWarning(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, """
                auth_modules:
                  lab:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-lab}
                    options: {require_auth: "password,scram-sha-256", sslmode: require}
                  verified:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-two}
                    options: {require_auth: password, sslmode: verify-full}
                  scram:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-three}
                    options: {require_auth: scram-sha-256}
                  default:
                    type: userpass
                    userpass: {username: monitor, password: s3cret-four}
                """);
        assertThat(ConfigLoader.securityWarnings(ConfigLoader.load(file).config())).containsExactly(
                "auth module \"lab\": require_auth allows the cleartext method \"password\" without sslmode verify-ca "
                + "or verify-full: any server reached with this module that asks for the password in clear text "
                + "receives it");
    }
}
