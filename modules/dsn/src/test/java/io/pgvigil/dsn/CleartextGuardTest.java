package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which require_auth a guarded (auth-module) password connects with, and who may lift the guard. */
class CleartextGuardTest {

    private static AuthModule module(Map<String, String> options) {
        return new AuthModule("prod", new Credentials.UserPass("mu", Secret.guarded("modulePW")), options);
    }

    private static Map<String, String> properties(String target, Map<String, String> options) {
        return ConnectionSpec.parseUntrusted(target).withAuthModule(module(options)).driverProperties();
    }

    @ParameterizedTest(name = "target require_auth={0}, module require_auth={1}: {2}")
    @CsvSource(nullValues = "-", value = {
            "-,                    -,                      !password",
            "-,                    scram-sha-256,          scram-sha-256",
            "-,                    'md5,scram-sha-256',    'md5,scram-sha-256'",
            "-,                    '!md5',                 '!md5,!password'",
            "-,                    '!password',            '!password'",
            "-,                    '!none,!password',      '!none,!password'",
            "-,                    none,                   none",
            "'password,md5',       -,                      md5",
            "'!md5',               -,                      '!md5,!password'",
            "scram-sha-256,        -,                      scram-sha-256",
            "password,             scram-sha-256,          scram-sha-256",
    })
    void requireAuthOfAGuardedPassword(String targetValue, String moduleValue, String expected) {
        String target = "db1" + (targetValue == null ? "" : "?require_auth=" + targetValue);
        Map<String, String> options = moduleValue == null ? Map.of() : Map.of("require_auth", moduleValue);
        assertThat(properties(target, options)).containsEntry("requireAuth", expected);
    }

    @Test
    void aModuleNamingPasswordLiftsTheGuard() {
        ConnectionSpec merged = ConnectionSpec.parse("db1").withAuthModule(module(Map.of("require_auth", "password,md5")));
        assertThat(merged.password()).map(Secret::isGuarded).contains(false);
        assertThat(merged.driverProperties()).containsEntry("requireAuth", "password,md5");
    }

    @ParameterizedTest
    @CsvSource({"verify-ca", "verify-full"})
    void aModuleVerifyingTheServerLiftsTheGuard(String mode) {
        assertThat(properties("db1", Map.of("sslmode", mode))).doesNotContainKey("requireAuth");
        assertThat(properties("db1?sslrootcert=/attacker/ca.pem", Map.of("sslmode", mode, "sslrootcert", "/etc/ca.pem")))
                .doesNotContainKey("requireAuth").containsEntry("sslrootcert", "/etc/ca.pem");
    }

    @Test
    void aTrustAnchorFromTheTargetKeepsTheGuard() {
        // /probe?target=evil:5432?sslrootcert=/etc/ssl/certs/ca-certificates.crt would verify any public certificate.
        assertThat(properties("db1?sslrootcert=/etc/ssl/certs/ca-certificates.crt", Map.of("sslmode", "verify-full")))
                .containsEntry("requireAuth", "!password");
    }

    @ParameterizedTest
    @CsvSource({"disable", "allow", "prefer", "require"})
    void tlsWithoutVerificationKeepsTheGuard(String mode) {
        assertThat(properties("db1", Map.of("sslmode", mode))).containsEntry("requireAuth", "!password");
    }

    @Test
    void aTargetNeverLiftsTheGuard() {
        assertThat(properties("db1?sslmode=verify-full", Map.of())).containsEntry("requireAuth", "!password");
        assertThat(properties("db1?sslmode=verify-ca&require_auth=md5,password", Map.of()))
                .containsEntry("requireAuth", "md5");
        assertThatThrownBy(() -> properties("db1?require_auth=password", Map.of()))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid auth module \"prod\": require_auth allows only the cleartext method \"password\", "
                            + "which pgvigil never uses for an auth module's password unless the module's options set "
                            + "sslmode verify-ca or verify-full, or name \"password\" in require_auth");
    }

    @Test
    void aPlainPasswordIsNotGuarded() {
        assertThat(ConnectionSpec.parse("postgres://u:pw@db1").driverProperties()).doesNotContainKey("requireAuth");
        ConnectionSpec merged = ConnectionSpec.parse("db1")
                .withAuthModule(new AuthModule("env", new Credentials.UserPass("u", Secret.of("pw")), Map.of()));
        assertThat(merged.driverProperties()).doesNotContainKey("requireAuth");
    }

    @Test
    void theGuardIsNotPartOfEqualityNorShown() {
        assertThat(Secret.guarded("x")).isEqualTo(Secret.of("x")).hasSameHashCodeAs(Secret.of("x"));
        assertThat(Secret.guarded("modulePW").toString()).isEqualTo(Secret.MASK);
        ConnectionSpec merged = ConnectionSpec.parse("db1/app").withAuthModule(module(Map.of()));
        assertThat(merged.redacted()).isEqualTo("postgresql://mu:******@db1:5432/app").doesNotContain("modulePW");
    }

    @Test
    void aGuardedSpecBuiltDirectlyRefusesAnOnlyPasswordList() {
        ConnectionSpec spec = new ConnectionSpec(java.util.List.of(new Endpoint("db1", 5432)), java.util.Optional.empty(),
                java.util.Optional.of("u"), java.util.Optional.of(Secret.guarded("pw")), Map.of("require_auth", "password"));
        assertThatThrownBy(spec::driverProperties).isExactlyInstanceOf(TargetException.class)
                .hasMessageStartingWith("invalid connection parameters: require_auth allows only");
    }
}
