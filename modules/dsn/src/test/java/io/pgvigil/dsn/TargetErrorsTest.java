package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every parse error: exact message, and neither the password nor the target text in it. */
class TargetErrorsTest {
    private static final String SUPPORTED = String.join(", ", ConnectionSpec.supportedParameters());
    private static final String ENCODE_HINT =
            " (percent-encode \"/\", \"?\", \"@\" and \"#\" in user names and passwords as %2F, %3F, %40 and %23)";
    private static final String SSLMODES = "disable, allow, prefer, require, verify-ca, verify-full";
    private static final String UNIX = "invalid target: host is a unix-domain socket; "
                                       + "unix-domain sockets are not supported, use a TCP host name";

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments("", "target is required"),
                arguments(" \t\n", "target is required"),
                arguments("db1:x", "invalid target: port is not a number"),
                arguments("db1:99999999999999999999", "invalid target: port is not a number"),
                arguments("db1:70000", "invalid target: port must be between 1 and 65535"),
                arguments("db1:0", "invalid target: port must be between 1 and 65535"),
                arguments("db1:-1", "invalid target: port is not a number"),
                arguments("postgresql://h1:5432,h2:x/db", "invalid target: port of host #2 is not a number"),
                arguments("host=h1,h2 port=5432,x", "invalid target: port #2 is not a number"),
                arguments("postgres://u:s3cretPW@db1:5432/db?foo=bar",
                          "invalid target: unsupported connection parameter \"foo\" (supported: " + SUPPORTED + ")"),
                arguments("host=db1 foo=bar password=s3cretPW",
                          "invalid target: unsupported connection parameter \"foo\" (supported: " + SUPPORTED + ")"),
                arguments("host=db1 hostaddr=10.0.0.1",
                          "invalid target: unsupported connection parameter \"hostaddr\" (supported: " + SUPPORTED + ")"),
                arguments("postgres://db1/db?sslcrl=/x",
                          "invalid target: unsupported connection parameter \"sslcrl\" (supported: " + SUPPORTED + ")"),
                arguments("postgres://db1/db?passfile=/x",
                          "invalid target: unsupported connection parameter \"passfile\" (supported: " + SUPPORTED + ")"),
                arguments("service=prod",
                          "invalid target: unsupported connection parameter \"service\" (supported: " + SUPPORTED + ")"),
                arguments("postgres://db1/db?Sslmode=disable",
                          "invalid target: unsupported connection parameter \"Sslmode\" (supported: " + SUPPORTED + ")"),
                arguments("postgres://db1/db?f%C3%B6o=1",
                          "invalid target: unsupported connection parameter with an invalid name (supported: "
                          + SUPPORTED + ")"),
                arguments("host=db1 password='s3cretPW",
                          "invalid target: unterminated quote in key=value string (value of parameter \"password\")"),
                arguments("host=db1 password=\"s3cret PW",
                          "invalid target: unterminated quote in key=value string (value of parameter \"password\")"),
                arguments("host=db1 password=s3cret PW",
                          "invalid target: missing \"=\" in key=value string after parameter \"password\" "
                          + "(quote values that contain spaces)"),
                arguments("password=s3cret PW=x host=db1",
                          "invalid target: unsupported connection parameter in key=value string after parameter "
                          + "\"password\" (quote values that contain spaces)"),
                arguments("sslpassword=s3cret PW=x host=db1",
                          "invalid target: unsupported connection parameter in key=value string after parameter "
                          + "\"sslpassword\" (quote values that contain spaces)"),
                arguments("host=db1 's3cretPW'=1",
                          "invalid target: unsupported connection parameter in key=value string after parameter \"host\""),
                arguments("host=db1 password='s3cretPW'user=u",
                          "invalid target: missing whitespace after the quoted value of parameter \"password\""),
                arguments("host=db1 =x", "invalid target: missing parameter name before \"=\" in key=value string "
                                         + "after parameter \"host\""),
                arguments("host=db1 host=db2", "invalid target: parameter \"host\" is given more than once"),
                arguments("host=/var/run/postgresql", UNIX),
                arguments("host=@abstract", UNIX),
                arguments("postgresql://%2Fvar%2Frun%2Fpostgresql/db", UNIX),
                arguments("postgres://u:s3cret/PW@db1/db", "invalid target: port is not a number" + ENCODE_HINT),
                arguments("postgres://u:s3cret?PW@db1/db", "invalid target: port is not a number" + ENCODE_HINT),
                arguments("postgres://u:1234/s3cretPW@db1/db",
                          "invalid target: unexpected \"@\" in the database name" + ENCODE_HINT),
                arguments("postgres://db1/a/b",
                          "invalid target: unexpected \"/\" in the database name (percent-encode it as %2F)"),
                arguments("postgres://db1/db#x",
                          "invalid target: \"#\" in a URL must be percent-encoded as %23 (fragments are not supported)"),
                arguments("postgres://db1/db?sslmode=disable#x",
                          "invalid target: \"#\" in a URL must be percent-encoded as %23 (fragments are not supported)"),
                arguments("mysql://u:s3cretPW@db1/db",
                          "invalid target: unsupported URL scheme \"mysql\" (use postgresql:// or postgres://)"),
                arguments("postgres://db1/db?sslmode=bogus",
                          "invalid target: parameter \"sslmode\" must be one of " + SSLMODES),
                arguments("sslmode=Disable", "invalid target: parameter \"sslmode\" must be one of " + SSLMODES),
                arguments("postgres://db1/db?sslmode", "invalid target: parameter \"sslmode\" must be one of " + SSLMODES),
                arguments("postgres://db1/db?sslmode=disable&sslmode=require",
                          "invalid target: parameter \"sslmode\" is given more than once"),
                arguments("postgres://db1/db?user=a&user=b", "invalid target: parameter \"user\" is given more than once"),
                arguments("postgres://db1/db?host=x", "invalid target: parameter \"host\" is not allowed in a URL query; "
                        + "give hosts and ports before the path, as in postgresql://h1:5432,h2:5433/db"),
                arguments("postgres://db1/db?port=1", "invalid target: parameter \"port\" is not allowed in a URL query; "
                        + "give hosts and ports before the path, as in postgresql://h1:5432,h2:5433/db"),
                arguments("postgres://db1/db?dbname=other",
                          "invalid target: the database is given both in the URL path and as parameter \"dbname\""),
                arguments("postgres://db1/db%zz", "invalid target: invalid percent-encoding in the database name"),
                arguments("postgres://db1/db%4", "invalid target: invalid percent-encoding in the database name"),
                arguments("postgres://db1/db%C3", "invalid target: invalid percent-encoding in the database name"),
                arguments("postgres://u:s3cretPW%zz@db1/db", "invalid target: invalid percent-encoding in the password"),
                arguments("postgres://u%zz:s3cretPW@db1/db", "invalid target: invalid percent-encoding in the user name"),
                arguments("postgres://db1/db?%zz=1", "invalid target: invalid percent-encoding in a query parameter name"),
                arguments("postgres://db1/db?password=s3cretPW%",
                          "invalid target: invalid percent-encoding in the value of a query parameter"),
                arguments("postgres://db%zz1/db", "invalid target: invalid percent-encoding in host"),
                arguments("postgres://db1/db?=x", "invalid target: query parameter without a name"),
                arguments("postgres://db1/%0Adb", "invalid target: the database name must not contain control characters"),
                arguments("postgres://u%0A:s3cretPW@db1/db",
                          "invalid target: the user name must not contain control characters"),
                arguments("::1", "invalid target: IPv6 address in host must be in square brackets"),
                arguments("postgresql://h1,::1/db", "invalid target: IPv6 address in host #2 must be in square brackets"),
                arguments("[::1", "invalid target: missing \"]\" after the IPv6 address in host"),
                arguments("[::1]x", "invalid target: unexpected text after \"]\" in host"),
                arguments("[db1]:5432", "invalid target: host in square brackets is not an IPv6 address"),
                arguments("host=db1:5433",
                          "invalid target: host is not a valid host name or IPv6 address (give the port with port=)"),
                arguments("host=h1,h2,h3 port=1,2",
                          "invalid target: parameter \"port\" lists 2 ports for 3 hosts "
                          + "(give one port for all hosts or one per host)"),
                arguments("db_1!x", "invalid target: host is not a valid host name or IPv6 address"),
                arguments("-db1", "invalid target: host is not a valid host name or IPv6 address"),
                arguments("postgresql://h1,h%20/db", "invalid target: host #2 is not a valid host name or IPv6 address"),
                arguments("postgres://" + "h,".repeat(16) + "h/db", "invalid target: too many hosts (at most 16)"),
                arguments("host=" + "h,".repeat(16) + "h", "invalid target: too many hosts (at most 16)"),
                arguments("db1/" + "x".repeat(4100), "invalid target: target is longer than 4096 characters"),
                arguments("postgres://db1/db?connect_timeout=abc",
                          "invalid target: parameter \"connect_timeout\" must be a whole number of seconds from 0 to 2147483"),
                arguments("postgres://db1/db?connect_timeout=-1",
                          "invalid target: parameter \"connect_timeout\" must be a whole number of seconds from 0 to 2147483"),
                arguments("postgres://db1/db?connect_timeout=2147484",
                          "invalid target: parameter \"connect_timeout\" must be a whole number of seconds from 0 to 2147483"),
                arguments("postgres://db1/db?connect_timeout=99999999999999999999",
                          "invalid target: parameter \"connect_timeout\" must be a whole number of seconds from 0 to 2147483"),
                arguments("postgres://db1/db?client_encoding=LATIN1",
                          "invalid target: parameter \"client_encoding\" must be UTF8 (the JDBC driver always uses UTF8)"),
                arguments("postgres://db1/db?keepalives=2",
                          "invalid target: parameter \"keepalives\" must be one of 0, 1"),
                arguments("postgres://db1/db?channel_binding=on",
                          "invalid target: parameter \"channel_binding\" must be one of disable, prefer, require"),
                arguments("postgres://db1/db?gssencmode=allow",
                          "invalid target: parameter \"gssencmode\" must be one of disable, prefer, require"),
                arguments("postgres://db1/db?sslnegotiation=tls",
                          "invalid target: parameter \"sslnegotiation\" must be one of postgres, direct"),
                arguments("postgres://db1/db?target_session_attrs=master",
                          "invalid target: parameter \"target_session_attrs\" must be one of any, read-write, "
                          + "read-only, primary, standby, prefer-standby"),
                arguments("postgres://db1/db?statement_timeout=5s%20-c%20role%3Dx",
                          "invalid target: parameter \"statement_timeout\" must be a duration: a non-negative number, "
                          + "milliseconds by default, or with a unit us, ms, s, min, h or d (e.g. 500ms, 30s, 5min)"),
                arguments("lock_timeout=-5", "invalid target: parameter \"lock_timeout\" must be a duration: a "
                        + "non-negative number, milliseconds by default, or with a unit us, ms, s, min, h or d "
                        + "(e.g. 500ms, 30s, 5min)"),
                arguments("idle_in_transaction_session_timeout=5\\\\s", "invalid target: parameter "
                        + "\"idle_in_transaction_session_timeout\" must be a duration: a non-negative number, "
                        + "milliseconds by default, or with a unit us, ms, s, min, h or d (e.g. 500ms, 30s, 5min)"),
                arguments("postgres://db1/db?require_auth=password,!md5", "invalid target: parameter \"require_auth\" "
                        + "must be a comma-separated list of distinct methods from password, md5, gss, sspi, "
                        + "scram-sha-256, none, either all or none prefixed with \"!\""),
                arguments("require_auth=md5,md5", "invalid target: parameter \"require_auth\" "
                        + "must be a comma-separated list of distinct methods from password, md5, gss, sspi, "
                        + "scram-sha-256, none, either all or none prefixed with \"!\""),
                arguments("require_auth=kerberos", "invalid target: parameter \"require_auth\" "
                        + "must be a comma-separated list of distinct methods from password, md5, gss, sspi, "
                        + "scram-sha-256, none, either all or none prefixed with \"!\""),
                arguments("postgres://db1/db?sslnegotiation=direct",
                          "invalid connection parameters: sslnegotiation=direct requires sslmode require, "
                          + "verify-ca or verify-full"),
                arguments("sslnegotiation=direct sslmode=prefer",
                          "invalid connection parameters: sslnegotiation=direct requires sslmode require, "
                          + "verify-ca or verify-full"),
                arguments("postgres://db1/db?application_name=a%0Ab",
                          "invalid target: parameter \"application_name\" must not contain control characters"),
                arguments("postgres://db1/db?sslrootcert=", "invalid target: parameter \"sslrootcert\" must not be empty"),
                arguments("postgres://db1/db?sslpassword=", "invalid target: parameter \"sslpassword\" must not be empty"),
                arguments("krbsrvname=''", "invalid target: parameter \"krbsrvname\" must not be empty"),
                arguments("postgres://db1/db?sslcert=" + "a".repeat(1025),
                          "invalid target: parameter \"sslcert\" is longer than 1024 characters"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void messageIsExactAndLeaksNothing(String target, String message) {
        TargetException e = catchThrowableOfType(TargetException.class, () -> ConnectionSpec.parse(target));
        assertThat(e).as("target %s", target).isNotNull();
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("PW");
        if (target.strip().length() > 8) {
            assertThat(e.getMessage()).doesNotContain(target.strip());
        }
    }

    @Test
    void nullIsRequired() {
        assertThatThrownBy(() -> ConnectionSpec.parse(null))
                .isExactlyInstanceOf(TargetException.class)
                .hasMessage("target is required");
    }

    @Test
    void isAnIllegalArgumentException() {
        assertThat(new TargetException("x")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Crude fuzzing: mangled targets must fail with TargetException only, never crash otherwise. */
    @Test
    void garbageNeverCrashes() {
        String base = "postgresql://us%40r:p%40ss@[::1]:5432,h2:6000/d%20b?sslmode=verify-full&application_name=a+b"
                      + " host='x' port=1 password='it''s' \\ \" ' = , : / ? # @ % [ ]";
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int len = random.nextInt(40);
            for (int j = 0; j < len; j++) {
                s.append(base.charAt(random.nextInt(base.length())));
            }
            String target = s.toString();
            try {
                ConnectionSpec spec = ConnectionSpec.parse(target);
                spec.redacted();
                spec.jdbcUrl();
                spec.driverProperties();
            } catch (TargetException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
