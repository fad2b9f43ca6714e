package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code username_file} and {@code password_file} in {@code userpass}: mapping, exclusivity and load-time warnings. */
class CredentialFilesConfigTest {
    @TempDir
    Path dir;

    private LoadResult load(String userpass) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, "auth_modules:\n  m:\n    type: userpass\n    userpass:\n" + userpass.indent(6));
        return ConfigLoader.load(file, Environment.of(Map.of("SECRETS", dir.toString())));
    }

    private List<String> errors(String userpass) throws IOException {
        LoadResult result = load(userpass);
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        return ((LoadResult.Invalid) result).errors().stream()
                .map(e -> e.substring(e.indexOf(": ") + 2)).toList();
    }

    private static Credentials.UserPass userPass(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        return (Credentials.UserPass) result.config().modules().get("m").credentials();
    }

    @Test
    void filesAreMappedWithVariablesExpanded() throws IOException {
        Credentials.UserPass up = userPass(load("username_file: ${SECRETS}/user\npassword_file: ${SECRETS}/pass"));
        assertThat(up.usernameFile()).contains(dir.resolve("user"));
        assertThat(up.passwordFile()).contains(dir.resolve("pass"));
        assertThat(up.username()).isEmpty();
        assertThat(up.password().isEmpty()).isTrue();
        assertThat(up.password().isGuarded()).isTrue();
        assertThat(up.toString()).isEqualTo("UserPass[username=file:" + dir.resolve("user") + ", password=file:"
                                            + dir.resolve("pass") + "]");
    }

    @Test
    void aWrittenUserNameWithAPasswordFile() throws IOException {
        Credentials.UserPass up = userPass(load("username: monitor\npassword_file: /run/secrets/pg"));
        assertThat(up.username()).isEqualTo("monitor");
        assertThat(up.usernameFile()).isEmpty();
        assertThat(up.passwordFile()).contains(Path.of("/run/secrets/pg"));
        AuthModule module = load("username: monitor\npassword_file: /run/secrets/pg").config().modules().get("m");
        assertThat(ConfigLoader.summary(module))
                .isEqualTo("type=userpass user=monitor password_file=/run/secrets/pg options=\"\"");
    }

    @Test
    void valueAndFileAreExclusive() throws IOException {
        assertThat(errors("username: a\nusername_file: /u\npassword: p"))
                .containsExactly("auth_modules.m.userpass: \"username\" and \"username_file\" are exclusive");
        assertThat(errors("username: a\npassword: s3cret-pw\npassword_file: /p"))
                .containsExactly("auth_modules.m.userpass: \"password\" and \"password_file\" are exclusive")
                .noneMatch(e -> e.contains("s3cret-pw"));
    }

    @Test
    void missingAndEmptyFieldsAreNamed() throws IOException {
        assertThat(errors("password_file: /p")).containsExactly("auth_modules.m.userpass.username: is required");
        assertThat(errors("username_file: /u")).containsExactly("auth_modules.m.userpass.password: is required");
        assertThat(errors("username: a\npassword_file: \"\"")).containsExactly("auth_modules.m.userpass.password_file: must not be empty");
        assertThat(errors("username: a\npassword_file: ${NOPE}"))
                .containsExactly("auth_modules.m.userpass.password_file: environment variable \"NOPE\" is not set");
        assertThat(errors("username: a\npassword_file: [x]"))
                .containsExactly("auth_modules.m.userpass.password_file: value must be a string, not a list");
    }

    @Test
    void loadWarnsAboutMissingFilesAndWidePermissionsButNeverReadsThem() throws IOException {
        Path tight = dir.resolve("tight");
        Path wide = dir.resolve("wide");
        Files.writeString(tight, "T1ght-S3cret\n");
        Files.writeString(wide, "W1de-S3cret\n");
        Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(ConfigLoader.fileWarnings(load("username: a\npassword_file: " + tight).config())).isEmpty();
        assertThat(ConfigLoader.fileWarnings(load("username_file: " + tight + "\npassword_file: " + wide).config()))
                .containsExactly("auth module \"m\": password_file " + wide + " has permissions rw-r--r--, wider than "
                                 + "rw------- (0600): make it readable by the exporter's user only");
        Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("r--------"));
        assertThat(ConfigLoader.fileWarnings(load("username: a\npassword_file: " + tight).config())).isEmpty();
        assertThat(ConfigLoader.fileWarnings(load("username: a\npassword_file: " + dir.resolve("absent")).config()))
                .containsExactly("auth module \"m\": password_file " + dir.resolve("absent") + " does not exist: "
                                 + "probes with this module answer pg_up 0 until it does");
        assertThat(ConfigLoader.fileWarnings(load("username: a\npassword: p").config())).isEmpty();
    }

    @Test
    void aChangedFilePathIsAChangedModule() throws IOException {
        AuthConfig first = load("username: a\npassword_file: /one").config();
        AuthConfig second = load("username: a\npassword_file: /two").config();
        AuthConfig again = load("username: a\npassword_file: /one").config();
        assertThat(first).isNotEqualTo(second).isEqualTo(again);
        assertThat(Optional.of(first.toString())).get().asString().doesNotContain("S3cret");
    }
}
