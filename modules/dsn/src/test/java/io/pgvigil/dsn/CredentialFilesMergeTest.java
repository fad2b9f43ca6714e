package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An auth module whose user name or password is read from a file: what the merge keeps, and the resolution. */
class CredentialFilesMergeTest {
    private static final Path USER = Path.of("/run/secrets/user");
    private static final Path PASS = Path.of("/run/secrets/pass");

    private static AuthModule module(String username, Optional<Path> usernameFile, Map<String, String> options) {
        return new AuthModule("files", new Credentials.UserPass(username, Secret.guarded(""), usernameFile,
                                                                Optional.of(PASS)), options);
    }

    @Test
    void theFilesReplaceTheTargetsCredentials() {
        ConnectionSpec merged = ConnectionSpec.parse("postgres://tu:targetPW@db1/app")
                .withAuthModule(module("", Optional.of(USER), Map.of()));
        assertThat(merged.user()).isEmpty();
        assertThat(merged.password()).isEmpty();
        assertThat(merged.credentialFiles()).isEqualTo(new CredentialFiles(Optional.of(USER), Optional.of(PASS), true));
        assertThat(merged.redacted()).isEqualTo("postgresql://db1:5432/app").doesNotContain("targetPW");
        assertThat(merged.driverProperties()).containsEntry("requireAuth", "!password");
    }

    @Test
    void resolutionPutsTheContentsInAndKeepsTheGuard() {
        ConnectionSpec merged = ConnectionSpec.parse("db1").withAuthModule(module("", Optional.of(USER), Map.of()));
        ConnectionSpec resolved = merged.withFileContents(Optional.of("monitor"), Optional.of("fromFilePW"));
        assertThat(resolved.user()).contains("monitor");
        assertThat(resolved.effectiveDatabase()).isEqualTo("monitor");
        assertThat(resolved.password()).map(Secret::reveal).contains("fromFilePW");
        assertThat(resolved.password()).map(Secret::isGuarded).contains(true);
        assertThat(resolved.credentialFiles()).isEqualTo(CredentialFiles.NONE);
        assertThat(resolved.toString()).doesNotContain("fromFilePW");
        assertThat(resolved.driverProperties()).containsEntry("requireAuth", "!password");
    }

    @Test
    void aWrittenUserNameStaysAndAVerifyingModuleLiftsTheGuard() {
        ConnectionSpec merged = ConnectionSpec.parse("db1").withAuthModule(module("monitor", Optional.empty(),
                Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ca.pem")));
        assertThat(merged.user()).contains("monitor");
        assertThat(merged.credentialFiles().guardedPassword()).isFalse();
        ConnectionSpec resolved = merged.withFileContents(Optional.empty(), Optional.of("pw"));
        assertThat(resolved.user()).contains("monitor");
        assertThat(resolved.password()).map(Secret::isGuarded).contains(false);
        assertThat(resolved.driverProperties()).doesNotContainKey("requireAuth");
    }

    @Test
    void differentFilesAreDifferentTargets() {
        ConnectionSpec a = ConnectionSpec.parse("db1").withAuthModule(module("monitor", Optional.empty(), Map.of()));
        ConnectionSpec b = ConnectionSpec.parse("db1").withAuthModule(new AuthModule("other",
                new Credentials.UserPass("monitor", Secret.guarded(""), Optional.empty(), Optional.of(Path.of("/other"))),
                Map.of()));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void userPassRules() {
        assertThatThrownBy(() -> new Credentials.UserPass("a", Secret.of(""), Optional.of(USER), Optional.empty()))
                .hasMessage("userpass.username and userpass.username_file are exclusive");
        assertThatThrownBy(() -> new Credentials.UserPass("a", Secret.of("pw"), Optional.empty(), Optional.of(PASS)))
                .hasMessage("userpass.password and userpass.password_file are exclusive");
        assertThatThrownBy(() -> new Credentials.UserPass("", Secret.of("pw")))
                .hasMessage("userpass.username must not be empty");
        assertThat(new Credentials.UserPass("a", Secret.of("s3cretPW")).toString())
                .isEqualTo("UserPass[username=a, password=******]");
    }
}
