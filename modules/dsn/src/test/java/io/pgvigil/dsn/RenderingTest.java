package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** redacted(), toString(), jdbcUrl() and the effective user and database. */
class RenderingTest {

    @Test
    void redactedMasksThePasswordAndNormalises() {
        ConnectionSpec spec = ConnectionSpec.parse("postgres://u:s3cretPW@db1/app?sslmode=disable&application_name=x");
        assertThat(spec.redacted())
                .isEqualTo("postgresql://u:******@db1:5432/app?application_name=x&sslmode=disable")
                .isEqualTo(spec.toString());
    }

    @Test
    void redactedOfKeywordValueTarget() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "host=db1 port=5433 dbname=app user=u password='s3cret PW' sslmode=disable");
        assertThat(spec.redacted()).isEqualTo("postgresql://u:******@db1:5433/app?sslmode=disable");
    }

    @Test
    void redactedWithUserOnlyPasswordOnlyAndNeither() {
        assertThat(ConnectionSpec.parse("postgres://u@db1/app").redacted()).isEqualTo("postgresql://u@db1:5432/app");
        assertThat(ConnectionSpec.parse("postgres://:s3cretPW@db1").redacted()).isEqualTo("postgresql://:******@db1:5432");
        assertThat(ConnectionSpec.parse("db1").redacted()).isEqualTo("postgresql://db1:5432");
        assertThat(ConnectionSpec.parse("db1?sslmode=disable").redacted())
                .isEqualTo("postgresql://db1:5432?sslmode=disable");
    }

    @Test
    void redactedMultiHostAndIpv6() {
        assertThat(ConnectionSpec.parse("postgresql://h1:5432,[::1]:5433/db").redacted())
                .isEqualTo("postgresql://h1:5432,[::1]:5433/db");
    }

    @Test
    void redactedMasksSecretParametersAndEncodesTheRest() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "host=db1 user='a b@c' dbname='my db' sslpassword=s3cretPW application_name='x&y=z' "
                + "sslrootcert=/etc/ssl/ca.pem options='-c geqo=off'");
        assertThat(spec.redacted()).isEqualTo(
                "postgresql://a%20b%40c@db1:5432/my%20db?application_name=x%26y%3Dz&options=-c%20geqo%3Doff"
                + "&sslpassword=******&sslrootcert=/etc/ssl/ca.pem");
    }

    @Test
    void redactedParsesBackToTheSameSpecWithoutSecrets() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "host=h1,::1 port=5432,6000 user='jü rgen+x' dbname='d/b?#@' application_name='a+b c' "
                + "sslrootcert=/x:y,z statement_timeout='5 s'");
        assertThat(ConnectionSpec.parse(spec.redacted())).isEqualTo(spec);
    }

    @Test
    void redactionNeverShowsAnyPassword() {
        List<String> targets = List.of(
                "postgres://u:s3cretPW@db1/app",
                "u:s3cretPW@db1:5432/app?sslmode=disable",
                "postgres://db1/app?user=u&password=s3cretPW",
                "host=db1 password=s3cretPW",
                "host=db1 password='s3cret PW' sslpassword=s3cretKeyPW",
                "postgres://db1/app?sslpassword=s3cretPW");
        for (String target : targets) {
            ConnectionSpec spec = ConnectionSpec.parse(target);
            assertThat(spec.redacted()).as(target).doesNotContain("s3cret");
            assertThat(spec.toString()).as(target).doesNotContain("s3cret");
            assertThat(Redaction.redact(spec.redacted())).isEqualTo(spec.redacted());
        }
    }

    @Test
    void jdbcUrl() {
        assertThat(ConnectionSpec.parse("postgres://u:p@db1:5433/app?sslmode=disable").jdbcUrl())
                .isEqualTo("jdbc:postgresql://db1:5433/app");
        assertThat(ConnectionSpec.parse("postgresql://h1:5432,h2:5433/db").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/db");
        assertThat(ConnectionSpec.parse("[::1]/db").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
        assertThat(ConnectionSpec.parse("host=db1 dbname='my db/x?y+z,€'").jdbcUrl())
                .isEqualTo("jdbc:postgresql://db1:5432/my%20db%2Fx%3Fy%2Bz%2C%E2%82%AC");
    }

    @Test
    void databaseDefaultsToUserThenOsUser() {
        ConnectionSpec withUser = ConnectionSpec.parse("postgres://monitor@db1");
        assertThat(withUser.effectiveUser()).isEqualTo("monitor");
        assertThat(withUser.effectiveDatabase()).isEqualTo("monitor");
        assertThat(withUser.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432/monitor");

        String os = System.getProperty("user.name");
        ConnectionSpec bare = ConnectionSpec.parse("db1");
        assertThat(bare.effectiveUser()).isEqualTo(os);
        assertThat(bare.effectiveDatabase()).isEqualTo(os);
        assertThat(bare.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432/" + PercentCodec.encode(os, ""));

        assertThat(ConnectionSpec.parse("postgres://monitor@db1/app").effectiveDatabase()).isEqualTo("app");
    }

    @Test
    void componentsKeepSecretsMasked() {
        ConnectionSpec spec = new ConnectionSpec(List.of(new Endpoint("db1", 5432)), Optional.empty(),
                                                 Optional.of("u"), Optional.of(Secret.of("s3cretPW")),
                                                 Map.of("sslpassword", "s3cretKeyPW"));
        assertThat(spec.toString()).isEqualTo("postgresql://u:******@db1:5432?sslpassword=******");
        assertThat(spec.password().toString()).doesNotContain("s3cret");
    }
}
