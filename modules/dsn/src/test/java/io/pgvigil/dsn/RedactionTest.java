package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "postgres://u:s3cret@h/db|postgres://u:******@h/db",
        "connect postgresql://u:s3cret@h:5432/db failed|connect postgresql://u:******@h:5432/db failed",
        "jdbc:postgresql://u:s3cret@h/db|jdbc:postgresql://u:******@h/db",
        "postgresql://u:p@ss/w?rd@h/db|postgresql://u:******@h/db",
        "postgresql://:s3cret@h|postgresql://:******@h",
        "a postgres://x:1@h and postgres://y:2@i|a postgres://x:******@h and postgres://y:******@i",
        "host=h password=s3cret user=u|host=h password=****** user=u",
        "host=h password = s3cret user=u|host=h password = ****** user=u",
        "`host=h password='s3 \\' c''ret' user=u`|host=h password=****** user=u",
        "host=h password=\"s3 cret\" user=u|host=h password=****** user=u",
        "host=h password='unterminated s3cret|host=h password=******",
        "host=h sslpassword=s3cret|host=h sslpassword=******",
        "PGPASSWORD=s3cret psql|PGPASSWORD=****** psql",
        "Password=s3cret|Password=******",
        "postgres://h/db?user=u&password=s3cret&sslmode=disable|postgres://h/db?user=u&password=******&sslmode=disable",
        "?sslpassword=s3cret|?sslpassword=******",
        "{\"user\":\"u\",\"password\":\"s3\\\"cret\"}|{\"user\":\"u\",\"password\":\"******\"}",
        "/probe?target=postgres%3A%2F%2Fu%3As3cret%40h%2Fdb|/probe?target=postgres%3A%2F%2Fu%3A******%40h%2Fdb",
        "target=host%3Dh%20password%3Ds3cret%20user%3Du|target=host%3Dh%20password%3D******%20user%3Du",
        "x=1&password%3Ds3cret&y=2|x=1&password%3D******&y=2",
    })
    void masks(String text, String expected) {
        assertThat(Redaction.redact(text)).isEqualTo(expected).doesNotContain("s3cret");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "FATAL: password authentication failed for user \"u\"",
        "Connection to localhost:5432 refused",
        "postgresql://u@h:5432/db",
        "postgresql://u:******@h:5432/db?sslpassword=******",
        "mypassword_hint is not a parameter",
    })
    void leavesOtherTextAlone(String text) {
        assertThat(Redaction.redact(text)).isEqualTo(text);
    }

    @Test
    void longAndAdversarialInputsAreHandled() {
        String escapes = "\\x".repeat(50_000);
        assertThat(Redaction.redact("password='" + escapes + "' user=u")).isEqualTo("password=****** user=u");
        assertThat(Redaction.redact("{\"password\":\"" + "s3cret".repeat(50_000) + "\"}"))
                .isEqualTo("{\"password\":\"******\"}");
        assertThat(Redaction.redact("x=1 password=")).isEqualTo("x=1 password=******");
        String manySchemes = "a://b:".repeat(20_000);
        assertThat(Redaction.redact(manySchemes)).isEqualTo(manySchemes);
    }

    @Test
    void theNewAuthLinesKeepTheirPathsAndReasons() {
        // Paths of credential files may be logged; the refusal explains itself without a value to mask.
        for (String text : new String[] {
                "type=userpass user=monitor password_file=/run/secrets/pg options=\"\"",
                "cannot read password_file /run/secrets/pg: the file does not exist",
                "auth module \"m\": password_file /p has permissions rw-r--r--, wider than rw------- (0600)",
                "authentication refused: the server asked for an authentication method that require_auth=!password "
                + "does not allow, so no password was sent (an auth module's password is never sent in clear text "
                + "unless the module's options set sslmode verify-ca or verify-full, or name \"password\" in "
                + "require_auth)",
                "postgres_exporter.yml: auth_modules.k8s.userpass.password: environment variable \"DB_PASSWORD\" is "
                + "not set"}) {
            assertThat(Redaction.redact(text)).isEqualTo(text);
        }
        assertThat(new Credentials.UserPass("u", Secret.guarded("s3cret")).toString()).doesNotContain("s3cret");
        assertThat(new AuthModule("m", new Credentials.UserPass("u", Secret.guarded("s3cret")),
                                  java.util.Map.of("require_auth", "password")).toString()).doesNotContain("s3cret");
    }

    @Test
    void nullAndEmpty() {
        assertThat(Redaction.redact(null)).isEqualTo("null");
        assertThat(Redaction.redact("")).isEmpty();
    }
}
