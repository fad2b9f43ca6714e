package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthModuleMergeTest {

    private static AuthModule module(String user, String password, Map<String, String> options) {
        return new AuthModule("prod", new Credentials.UserPass(user, Secret.of(password)), options);
    }

    @Test
    void moduleCredentialsOverrideTargetCredentials() {
        ConnectionSpec merged = ConnectionSpec.parse("postgres://tu:targetPW@db1:5432/app?sslmode=disable")
                .withAuthModule(module("mu", "modulePW", Map.of()));
        assertThat(merged.user()).contains("mu");
        assertThat(merged.password()).map(Secret::reveal).contains("modulePW");
        assertThat(merged.endpoints()).containsExactly(new Endpoint("db1", 5432));
        assertThat(merged.database()).contains("app");
        assertThat(merged.parameters()).isEqualTo(Map.of("sslmode", "disable"));
    }

    @Test
    void moduleCredentialsFillATargetWithout() {
        ConnectionSpec merged = ConnectionSpec.parse("db1").withAuthModule(module("mu", "modulePW", Map.of()));
        assertThat(merged.user()).contains("mu");
        assertThat(merged.password()).map(Secret::reveal).contains("modulePW");
    }

    @Test
    void emptyModulePasswordRemovesTheTargetPassword() {
        ConnectionSpec merged = ConnectionSpec.parse("postgres://tu:targetPW@db1")
                .withAuthModule(module("mu", "", Map.of()));
        assertThat(merged.user()).contains("mu");
        assertThat(merged.password()).isEmpty();
    }

    @Test
    void optionsOverrideAndExtendTargetParameters() {
        ConnectionSpec merged = ConnectionSpec.parse("db1/app?sslmode=disable&application_name=t")
                .withAuthModule(module("mu", "pw", Map.of("sslmode", "verify-full",
                                                          "sslrootcert", "/etc/ca.pem",
                                                          "connect_timeout", "5")));
        assertThat(merged.parameters()).containsExactly(
                Map.entry("application_name", "t"),
                Map.entry("connect_timeout", "5"),
                Map.entry("sslmode", "verify-full"),
                Map.entry("sslrootcert", "/etc/ca.pem"));
        assertThat(merged.database()).contains("app");
    }

    @Test
    void dbnameOptionOverridesTheDatabase() {
        assertThat(ConnectionSpec.parse("db1/app").withAuthModule(module("u", "p", Map.of("dbname", "other")))
                           .database()).contains("other");
        assertThat(ConnectionSpec.parse("db1").withAuthModule(module("u", "p", Map.of("dbname", "other")))
                           .database()).contains("other");
    }

    @Test
    void optionsCompleteCombinations() {
        ConnectionSpec merged = ConnectionSpec.parse("db1?sslmode=require")
                .withAuthModule(module("u", "p", Map.of("sslnegotiation", "direct")));
        assertThat(merged.driverProperties()).containsEntry("sslNegotiation", "direct").containsEntry("sslmode", "require");
    }

    @Test
    void combinationIsCheckedAfterTheMerge() {
        ConnectionSpec target = ConnectionSpec.parse("db1?sslmode=require&sslnegotiation=direct");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("sslmode", "prefer"))))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid connection parameters: sslnegotiation=direct requires sslmode require, "
                            + "verify-ca or verify-full");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "port"})
    void hostOptionsAreRefused(String key) {
        ConnectionSpec target = ConnectionSpec.parse("db1");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of(key, "x"))))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid auth module \"prod\": option \"" + key
                            + "\" is not allowed: the host and port belong in the target");
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "password"})
    void credentialOptionsAreRefused(String key) {
        ConnectionSpec target = ConnectionSpec.parse("db1");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of(key, "optionPW"))))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid auth module \"prod\": option \"" + key
                            + "\" is not allowed: credentials belong in userpass");
    }

    @Test
    void unsupportedOptionIsNamed() {
        SortedSet<String> allowed = new TreeSet<>(ConnectionSpec.supportedParameters());
        allowed.removeAll(java.util.Set.of("host", "port", "user", "password"));
        ConnectionSpec target = ConnectionSpec.parse("db1");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("passfile", "/x"))))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid auth module \"prod\": unsupported connection option \"passfile\" (supported: "
                            + String.join(", ", allowed) + ")");
    }

    @Test
    void invalidOptionValueIsNamedWithoutTheValue() {
        ConnectionSpec target = ConnectionSpec.parse("db1");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("sslmode", "s3cretPW"))))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("invalid auth module \"prod\": option \"sslmode\" must be one of disable, allow, prefer, "
                            + "require, verify-ca, verify-full");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("sslpassword", ""))))
                .hasMessage("invalid auth module \"prod\": option \"sslpassword\" must not be empty");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("dbname", ""))))
                .hasMessage("invalid auth module \"prod\": option \"dbname\" must not be empty");
        assertThatThrownBy(() -> target.withAuthModule(module("u", "p", Map.of("dbname", "a\nb"))))
                .hasMessage("invalid auth module \"prod\": option \"dbname\" must not contain control characters");
    }

    @Test
    void mergedSpecNeverShowsEitherPassword() {
        ConnectionSpec merged = ConnectionSpec.parse("postgres://tu:targetPW@db1/app?sslpassword=targetKeyPW")
                .withAuthModule(module("mu", "modulePW", Map.of("sslpassword", "moduleKeyPW")));
        assertThat(merged.parameters()).containsEntry("sslpassword", "moduleKeyPW");
        assertThat(merged.redacted())
                .isEqualTo("postgresql://mu:******@db1:5432/app?sslpassword=******")
                .isEqualTo(merged.toString());
    }

    @Test
    void withoutAnyModuleTheTargetIsUsedAsIs() {
        ConnectionSpec target = ConnectionSpec.parse("postgres://tu:targetPW@db1/app");
        assertThat(target.withAuthModule(new AuthModule("empty", new Credentials.UserPass("tu", Secret.of("targetPW")),
                                                        Map.of())))
                .isEqualTo(target);
    }
}
