package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetException;
import io.pgvigil.testkit.CleartextTrap;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An auth module's password never reaches a server that asks for it in clear text: a fake server that answers every
 * startup packet with AuthenticationCleartextPassword records what pgvigil sends.
 */
class CleartextRefusalTest {
    private static final String PASSWORD = "Stolen-If-Sent-7f3a";
    private static final long DEADLINE = Duration.ofSeconds(30).toNanos();

    private static AuthModule module(Map<String, String> options) {
        return new AuthModule("prod", new Credentials.UserPass("monitor", Secret.guarded(PASSWORD)), options);
    }

    private static ConnectionSpec target(CleartextTrap trap, String query) {
        return ConnectionSpec.parseUntrusted(trap.host() + ":" + trap.port() + "/app" + query);
    }

    @Test
    void anAuthModulesPasswordIsNotSentToAServerAskingForCleartext() {
        try (CleartextTrap trap = CleartextTrap.start()) {
            ConnectionSpec spec = target(trap, "").withAuthModule(module(Map.of()));

            assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("authentication refused")
                    .hasMessageContaining("require_auth=!password")
                    .hasMessageContaining("no password was sent")
                    .hasMessageContaining("sslmode verify-ca or verify-full")
                    .hasMessageNotContaining(PASSWORD)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28000");

            assertThat(trap.startups()).as("the trap was asked").isPositive();
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).contains("monitor").doesNotContain(PASSWORD);
        }
    }

    @Test
    void thePooledSourceRefusesAlike() {
        try (CleartextTrap trap = CleartextTrap.start();
             PooledSource pool = ConnectionSource.pooled(new PoolOptions(4, Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            ConnectionSpec spec = target(trap, "?sslmode=require&require_auth=password,md5").withAuthModule(module(
                    Map.of("sslmode", "prefer")));

            assertThatThrownBy(() -> pool.lease(spec, System.nanoTime() + DEADLINE))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("require_auth=md5");
            assertThat(trap.startups()).isPositive();
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aTargetCannotLiftTheGuard() {
        try (CleartextTrap trap = CleartextTrap.start()) {
            assertThatThrownBy(() -> target(trap, "?require_auth=password").withAuthModule(module(Map.of())))
                    .isExactlyInstanceOf(TargetException.class)
                    .hasMessageStartingWith("invalid auth module \"prod\": require_auth allows only the cleartext "
                                            + "method \"password\"");
            // A negated list from the target keeps "!password" added.
            ConnectionSpec spec = target(trap, "?require_auth=!md5").withAuthModule(module(Map.of()));
            assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                    .hasMessageContaining("require_auth=!md5,!password");
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aModuleThatNamesPasswordSendsIt() {
        // The control case: the trap does catch a password when one is sent, so the tests above can fail.
        try (CleartextTrap trap = CleartextTrap.start()) {
            ConnectionSpec spec = target(trap, "").withAuthModule(module(Map.of("require_auth", "password,scram-sha-256")));

            assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                    .isInstanceOf(SQLException.class)
                    .hasMessageNotContaining(PASSWORD);
            assertThat(trap.passwordMessages()).isEqualTo(1);
            assertThat(trap.received()).contains(PASSWORD);
        }
    }

    @Test
    void aPlainPasswordKeepsLibpqsDefault() {
        // DATA_SOURCE_NAME and a password in the target itself are not stored credentials: behaviour as before.
        try (CleartextTrap trap = CleartextTrap.start()) {
            ConnectionSpec spec = ConnectionSpec.parse("postgresql://monitor:" + PASSWORD + "@" + trap.host() + ":"
                                                       + trap.port() + "/app");
            assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                    .isInstanceOf(SQLException.class);
            assertThat(trap.passwordMessages()).isEqualTo(1);
        }
    }

    @Test
    void channelBindingRequireRefusesCleartextEvenWhenAllowed() {
        try (CleartextTrap trap = CleartextTrap.start()) {
            ConnectionSpec spec = target(trap, "").withAuthModule(module(
                    Map.of("require_auth", "password", "channel_binding", "require")));
            assertThatThrownBy(() -> ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE))
                    .isInstanceOf(SQLException.class)
                    .hasMessageNotContaining(PASSWORD);
            assertThat(trap.passwordMessages()).isZero();
            assertThat(trap.received()).doesNotContain(PASSWORD);
        }
    }
}
