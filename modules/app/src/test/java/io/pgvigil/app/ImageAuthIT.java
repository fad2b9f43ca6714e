package io.pgvigil.app;

import io.pgvigil.testkit.CleartextTrap;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 items 2 to 4 in the launched image: a password from {@code ${VAR}} is not sent to a fake server asking for
 * it in clear text, a {@code password_file} is read for each new connection (rotation without reload) and a missing
 * one is {@code pg_up 0} with its path in the log, and the WARN for a file readable by others.
 */
class ImageAuthIT {
    private static final String ENV_PASSWORD = "Im4ge-Env-Secret";
    private static final String FILE_PASSWORD_1 = "Im4ge-F1le-one";
    private static final String FILE_PASSWORD_2 = "Im4ge-F1le-two";
    private static final String ROLE = "pgvigil_image_auth";
    private static final String DB = "pgvigil_image_auth";

    @Test
    void guardedPasswordsEnvironmentAndPasswordFiles(@TempDir Path dir) throws Exception {
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole(ROLE, FILE_PASSWORD_1, "IN ROLE pg_monitor");
        pg.createDatabase(DB, null);
        Path passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, FILE_PASSWORD_1 + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-r--r--"));
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  from_env:
                    type: userpass
                    userpass:
                      username: monitor
                      password: ${PGVIGIL_IT_PASSWORD}
                  from_file:
                    type: userpass
                    userpass:
                      username: %s
                      password_file: %s
                    options:
                      sslmode: disable
                """.formatted(ROLE, passwordFile));

        try (CleartextTrap trap = CleartextTrap.start();
             ImageProcess image = ImageProcess.start(dir, Map.of("PGVIGIL_IT_PASSWORD", ENV_PASSWORD),
                                                     "--config.file=" + config)) {
            HttpResponse<String> stolen = image.get("/probe?target=127.0.0.1%3A" + trap.port() + "&auth_module=from_env");
            assertThat(stolen.statusCode()).isEqualTo(200);
            assertThat(stolen.body()).contains("\npg_up 0\n");
            assertThat(trap.startups()).isPositive();
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).doesNotContain(ENV_PASSWORD);

            String target = "/probe?auth_module=from_file&target=127.0.0.1%3A" + pg.port() + "%2F";
            assertThat(image.get(target + "postgres").body()).contains("\npg_up 1\n");

            pg.createRole(ROLE, FILE_PASSWORD_2, "IN ROLE pg_monitor");
            Files.writeString(passwordFile, FILE_PASSWORD_2 + "\n");
            assertThat(image.get(target + DB).body()).as("a new connection reads the rotated file")
                    .contains("\npg_up 1\n");

            Files.delete(passwordFile);
            assertThat(image.get(target + "template1").body()).as("a missing file, never the old value")
                    .contains("\npg_up 0\n");

            image.awaitLog("cannot read password_file " + passwordFile + ": the file does not exist", 10);
            String log = image.log();
            assertThat(log).contains("authentication refused", "no password was sent",
                                     "password_file " + passwordFile + " has permissions rw-r--r--");
            assertThat(log).doesNotContain(ENV_PASSWORD).doesNotContain(FILE_PASSWORD_1).doesNotContain(FILE_PASSWORD_2);
        }
    }
}
