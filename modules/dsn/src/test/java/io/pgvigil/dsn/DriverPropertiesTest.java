package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DriverPropertiesTest {

    private static Map<String, String> properties(String target) {
        return ConnectionSpec.parse(target).driverProperties();
    }

    @Test
    void nothingWhenNoParameters() {
        assertThat(properties("postgres://u:pw@db1/app")).isEmpty();
    }

    @Test
    void neverUserOrPassword() {
        assertThat(properties("postgres://u:pw@db1/app?sslmode=disable")).isEqualTo(Map.of("sslmode", "disable"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
    void sslmode(String mode) {
        assertThat(properties("db1?sslmode=" + mode)).isEqualTo(Map.of("sslmode", mode));
    }

    @Test
    void sslFiles() {
        assertThat(properties("host=db1 sslrootcert=/ca.pem sslcert=/c.pem sslkey=/k.pk8 sslpassword='k p'"))
                .isEqualTo(Map.of("sslrootcert", "/ca.pem", "sslcert", "/c.pem", "sslkey", "/k.pk8",
                                  "sslpassword", "k p"));
    }

    @ParameterizedTest
    @CsvSource({"postgres,require", "direct,require", "direct,verify-ca", "direct,verify-full", "postgres,disable"})
    void sslnegotiation(String negotiation, String mode) {
        assertThat(properties("db1?sslnegotiation=" + negotiation + "&sslmode=" + mode))
                .isEqualTo(Map.of("sslNegotiation", negotiation, "sslmode", mode));
    }

    @ParameterizedTest
    @ValueSource(strings = {"disable", "prefer", "require"})
    void channelBinding(String value) {
        assertThat(properties("db1?channel_binding=" + value)).isEqualTo(Map.of("channelBinding", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram-sha-256", "password,md5", "!password,!md5", "none", "gss,sspi"})
    void requireAuth(String value) {
        assertThat(properties("require_auth=" + value)).isEqualTo(Map.of("requireAuth", value));
    }

    @Test
    void connectTimeoutBoundsConnectAndLogin() {
        assertThat(properties("db1?connect_timeout=5")).isEqualTo(Map.of("connectTimeout", "5", "loginTimeout", "5"));
        assertThat(properties("db1?connect_timeout=0")).isEqualTo(Map.of("connectTimeout", "0", "loginTimeout", "0"));
        assertThat(properties("db1?connect_timeout=2147483"))
                .isEqualTo(Map.of("connectTimeout", "2147483", "loginTimeout", "2147483"));
    }

    @Test
    void applicationNameAndFallback() {
        assertThat(properties("db1?application_name=a")).isEqualTo(Map.of("ApplicationName", "a"));
        assertThat(properties("db1?fallback_application_name=f")).isEqualTo(Map.of("ApplicationName", "f"));
        assertThat(properties("db1?fallback_application_name=f&application_name=a"))
                .isEqualTo(Map.of("ApplicationName", "a"));
        assertThat(properties("db1?application_name=")).isEqualTo(Map.of("ApplicationName", ""));
    }

    @Test
    void options() {
        assertThat(properties("host=db1 options='-c geqo=off'")).isEqualTo(Map.of("options", "-c geqo=off"));
        assertThat(properties("host=db1 options=''")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"})
    void serverSettingsBecomeOptions(String name) {
        assertThat(properties("db1?" + name + "=1500")).isEqualTo(Map.of("options", "-c " + name + "=1500"));
        assertThat(properties("db1?" + name + "=2.5min")).isEqualTo(Map.of("options", "-c " + name + "=2.5min"));
    }

    @Test
    void serverSettingsAreEscapedAndAppendedToOptionsInNameOrder() {
        assertThat(properties("host=db1 options='-c geqo=off' statement_timeout='5 s' lock_timeout=100ms"))
                .isEqualTo(Map.of("options", "-c geqo=off -c lock_timeout=100ms -c statement_timeout=5\\ s"));
    }

    @Test
    void escapeOptionFollowsLibpq() {
        assertThat(ConnectionSpec.escapeOption("a\\b c")).isEqualTo("a\\\\b\\ c");
        assertThat(ConnectionSpec.escapeOption("30s")).isEqualTo("30s");
    }

    @ParameterizedTest
    @CsvSource({"any,any", "read-write,primary", "read-only,secondary", "primary,primary", "standby,secondary",
                "prefer-standby,preferSecondary"})
    void targetSessionAttrs(String libpq, String pgjdbc) {
        assertThat(properties("db1?target_session_attrs=" + libpq)).isEqualTo(Map.of("targetServerType", pgjdbc));
    }

    @ParameterizedTest
    @CsvSource({"0,false", "1,true"})
    void keepalives(String libpq, String pgjdbc) {
        assertThat(properties("db1?keepalives=" + libpq)).isEqualTo(Map.of("tcpKeepAlive", pgjdbc));
    }

    @ParameterizedTest
    @ValueSource(strings = {"disable", "prefer", "require"})
    void gssencmode(String value) {
        assertThat(properties("db1?gssencmode=" + value)).isEqualTo(Map.of("gssEncMode", value));
    }

    @Test
    void krbsrvname() {
        assertThat(properties("db1?krbsrvname=postgres")).isEqualTo(Map.of("kerberosServerName", "postgres"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF8", "utf8", "UTF-8", "utf-8"})
    void clientEncodingUtf8IsAcceptedWithoutProperty(String value) {
        assertThat(properties("db1?client_encoding=" + value)).isEmpty();
    }

    @Test
    void propertiesAreSortedAndUnmodifiable() {
        Map<String, String> props = properties("db1?sslmode=disable&connect_timeout=3&application_name=x");
        assertThat(props.keySet()).containsExactly("ApplicationName", "connectTimeout", "loginTimeout", "sslmode");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> props.put("a", "b"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
