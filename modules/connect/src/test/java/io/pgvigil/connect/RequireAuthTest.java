package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code require_auth}, {@code channel_binding} and the guard on an auth module's password against a real server
 * whose {@code pg_hba.conf} asks each role for another method: {@code password} (cleartext), {@code md5} (the role's
 * password stored as md5), {@code scram-sha-256}, and {@code trust} (no authentication).
 */
class RequireAuthTest {
    private static final String PASSWORD = "Auth-Methods-9c1e";
    private static final long DEADLINE = Duration.ofSeconds(60).toNanos();

    private static PgServer pg;

    @BeforeAll
    static void server() {
        pg = PgServer.start(PgServer.majors().getLast());
        for (String method : new String[] {"password", "md5", "scram", "trust"}) {
            pg.createRole("via_" + method, PASSWORD);
        }
        pg.execute("postgres", "SET password_encryption = 'md5'; ALTER ROLE via_md5 PASSWORD '" + PASSWORD + "'");
        pg.hbaRule("via_password", "password");
        pg.hbaRule("via_md5", "md5");
        pg.hbaRule("via_scram", "scram-sha-256");
        pg.hbaRule("via_trust", "trust");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Connects as {@code via_<method>} through an auth module with {@code options}; empty when it worked. */
    private static String outcome(String role, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent("sslmode", "disable");
        AuthModule module = new AuthModule("m", new Credentials.UserPass(role, Secret.guarded(PASSWORD)), all);
        ConnectionSpec spec = ConnectionSpec.parseUntrusted("127.0.0.1:" + pg.port() + "/postgres").withAuthModule(module);
        try (Lease lease = ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE)) {
            assertThat(lease.server().version().number()).isPositive();
            return "ok";
        } catch (SQLException e) {
            assertThat(e.getMessage()).doesNotContain(PASSWORD);
            return "refused";
        }
    }

    @ParameterizedTest(name = "{0} with require_auth={1}, channel_binding={2}: {3}")
    @CsvSource(nullValues = "-", value = {
            // cleartext: refused unless the module names "password"
            "password, -,                    -,       refused",
            "password, password,             -,       ok",
            "password, 'password,md5',       -,       ok",
            "password, '!md5',               -,       refused",
            "password, '!password',          -,       refused",
            "password, scram-sha-256,        -,       refused",
            "password, password,             require, refused",
            // md5: allowed by default, as in libpq
            "md5,      -,                    -,       ok",
            "md5,      md5,                  -,       ok",
            "md5,      '!md5',               -,       refused",
            "md5,      scram-sha-256,        -,       refused",
            "md5,      password,             -,       refused",
            "md5,      '!password,!none',    -,       ok",
            // SCRAM
            "scram,    -,                    -,       ok",
            "scram,    scram-sha-256,        -,       ok",
            "scram,    'md5,scram-sha-256',  -,       ok",
            "scram,    '!scram-sha-256',     -,       refused",
            "scram,    md5,                  -,       refused",
            "scram,    none,                 -,       refused",
            "scram,    -,                    disable, ok",
            "scram,    -,                    prefer,  ok",
            // no TLS, so no channel binding: libpq refuses too
            "scram,    -,                    require, refused",
            // trust: the server authenticates nobody
            "trust,    -,                    -,       ok",
            "trust,    none,                 -,       ok",
            "trust,    '!none',              -,       refused",
            "trust,    scram-sha-256,        -,       refused",
    })
    void requireAuthAndChannelBinding(String method, String requireAuth, String channelBinding, String expected) {
        Map<String, String> options = new HashMap<>();
        if (requireAuth != null) {
            options.put("require_auth", requireAuth);
        }
        if (channelBinding != null) {
            options.put("channel_binding", channelBinding);
        }
        assertThat(outcome("via_" + method, options)).isEqualTo(expected);
    }

    @Test
    void aRefusalSaysWhy() {
        AuthModule module = new AuthModule("m", new Credentials.UserPass("via_password", Secret.guarded(PASSWORD)),
                                           Map.of("sslmode", "disable"));
        ConnectionSpec spec = ConnectionSpec.parseUntrusted("127.0.0.1:" + pg.port() + "/postgres").withAuthModule(module);
        assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                .isInstanceOf(SQLException.class)
                .hasMessage("authentication refused: the server asked for an authentication method that "
                            + "require_auth=!password does not allow, so no password was sent (an auth module's "
                            + "password is never sent in clear text unless the module's options set sslmode verify-ca "
                            + "or verify-full, or name \"password\" in require_auth)");
    }

    @Test
    void aPlainPasswordStillUsesCleartextWhereTheServerAsks() {
        // The default data source (DATA_SOURCE_NAME) and a target's own password keep libpq's default.
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://via_password:" + PASSWORD + "@127.0.0.1:" + pg.port()
                                                   + "/postgres?sslmode=disable");
        assertThat(spec.password()).map(Secret::isGuarded).contains(false);
        try (Lease lease = ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE)) {
            assertThat(lease.server().version().number()).isPositive();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
