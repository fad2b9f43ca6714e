package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code username_file} and {@code password_file}: read for every new connection, so a secret rotated in the file
 * and on the server is used by the next connection without a reload; a missing or broken file fails the connection
 * with its path, never its content, and never falls back to the value read before.
 */
class CredentialFilesTest {
    private static final String ROLE = "pgvigil_file_monitor";
    private static final long DEADLINE = Duration.ofSeconds(60).toNanos();

    private static PgServer pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() {
        pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole(ROLE, "F1le-Pa55-first");
    }

    private ConnectionSpec spec(Path usernameFile, Path passwordFile) {
        Credentials.UserPass credentials = new Credentials.UserPass(
                usernameFile == null ? ROLE : "", Secret.guarded(""),
                Optional.ofNullable(usernameFile), Optional.of(passwordFile));
        AuthModule module = new AuthModule("files", credentials, Map.of("sslmode", "disable"));
        return ConnectionSpec.parseUntrusted("127.0.0.1:" + pg.port() + "/postgres").withAuthModule(module);
    }

    private static String sessionUser(ConnectionSource source, ConnectionSpec spec) throws SQLException {
        try (Lease lease = source.lease(spec, System.nanoTime() + DEADLINE);
             Statement st = lease.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT session_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void aRotatedPasswordIsUsedByTheNextConnection() throws Exception {
        Path password = dir.resolve("password");
        write(password, "F1le-Pa55-first\n");
        pg.createRole(ROLE, "F1le-Pa55-first");
        ConnectionSpec spec = spec(null, password);
        assertThat(spec.password()).isEmpty();
        assertThat(spec.toString()).doesNotContain("F1le-Pa55");

        assertThat(sessionUser(ConnectionSource.fresh(), spec)).isEqualTo(ROLE);

        pg.createRole(ROLE, "F1le-Pa55-second");
        write(password, "F1le-Pa55-second\r\n");
        assertThat(sessionUser(ConnectionSource.fresh(), spec)).as("the same spec, no reload").isEqualTo(ROLE);

        pg.createRole(ROLE, "F1le-Pa55-third");
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec))
                .as("the server rotated, the file not yet").isInstanceOf(SQLException.class)
                .hasMessageNotContaining("F1le-Pa55");
        write(password, "F1le-Pa55-third");
        assertThat(sessionUser(ConnectionSource.fresh(), spec)).isEqualTo(ROLE);
    }

    @Test
    void thePoolReadsTheFileForEachNewConnection() throws Exception {
        Path password = dir.resolve("password");
        pg.createRole(ROLE, "P00l-Pa55-first");
        write(password, "P00l-Pa55-first\n");
        ConnectionSpec spec = spec(null, password);
        try (PooledSource pool = ConnectionSource.pooled(new PoolOptions(4, Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            assertThat(sessionUser(pool, spec)).isEqualTo(ROLE);
            pg.createRole(ROLE, "P00l-Pa55-second");
            write(password, "P00l-Pa55-second\n");
            assertThat(sessionUser(pool, spec)).as("the kept session stays").isEqualTo(ROLE);
            pool.retireAll();
            assertThat(sessionUser(pool, spec)).as("a new session reads the new file").isEqualTo(ROLE);
            assertThat(pool.stats().opened()).isEqualTo(2);
        }
    }

    @Test
    void theUserNameComesFromItsFileToo() throws Exception {
        Path username = dir.resolve("username");
        Path password = dir.resolve("password");
        pg.createRole(ROLE, "Us3r-File-Pa55");
        write(username, ROLE + "\n");
        write(password, "Us3r-File-Pa55\n");

        assertThat(sessionUser(ConnectionSource.fresh(), spec(username, password))).isEqualTo(ROLE);
    }

    @Test
    void aMissingFileFailsWithItsPathAndNeverFallsBack() throws Exception {
        Path password = dir.resolve("password");
        pg.createRole(ROLE, "M1ss-Pa55");
        write(password, "M1ss-Pa55");
        ConnectionSpec spec = spec(null, password);
        assertThat(sessionUser(ConnectionSource.fresh(), spec)).isEqualTo(ROLE);

        Files.delete(password);
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec))
                .isInstanceOf(SQLException.class)
                .hasMessage("cannot read password_file " + password + ": the file does not exist")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28000");
    }

    @Test
    void brokenFilesAreRefusedWithoutTheirContent() throws Exception {
        Path password = dir.resolve("password");
        ConnectionSpec spec = spec(null, password);

        write(password, "\n\n");
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec))
                .hasMessage("cannot read password_file " + password + ": the file is empty");

        Files.write(password, new byte[] {'p', (byte) 0xff, 'w'});
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec))
                .hasMessage("cannot read password_file " + password + ": the file is not UTF-8 text");

        write(password, "x".repeat(CredentialFileReader.MAX_BYTES + 1));
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec))
                .hasMessage("cannot read password_file " + password + ": the file is larger than 64 KiB");

        Path username = dir.resolve("username");
        write(username, "bad\u0001name-S3cret");
        write(password, "whatever");
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec(username, password)))
                .hasMessage("cannot read username_file " + username + ": the user name in it must not contain "
                            + "control characters")
                .hasMessageNotContaining("S3cret");

        Path directory = Files.createDirectory(dir.resolve("adir"));
        assertThatThrownBy(() -> sessionUser(ConnectionSource.fresh(), spec(null, directory)))
                .isInstanceOf(SQLException.class)
                .hasMessageStartingWith("cannot read password_file " + directory + ": ");
    }

    @Test
    void aPasswordFromAFileIsGuardedLikeAWrittenOne() throws Exception {
        Path password = dir.resolve("password");
        write(password, "Gu4rd-Pa55");
        ConnectionSpec spec = spec(null, password);
        assertThat(spec.driverProperties()).containsEntry("requireAuth", "!password");
        assertThat(CredentialFileReader.resolve(spec).password()).map(Secret::isGuarded).contains(true);
    }
}
