package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionSpecParseTest {

    private static Optional<String> password(ConnectionSpec spec) {
        return spec.password().map(Secret::reveal);
    }

    @Test
    void bareHostNameUsesDefaults() {
        ConnectionSpec spec = ConnectionSpec.parse("db1");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("db1", 5432));
        assertThat(spec.database()).isEmpty();
        assertThat(spec.user()).isEmpty();
        assertThat(spec.password()).isEmpty();
        assertThat(spec.parameters()).isEmpty();
    }

    @Test
    void hostAndPort() {
        assertThat(ConnectionSpec.parse("db1:5433").endpoints()).containsExactly(new Endpoint("db1", 5433));
    }

    @Test
    void hostPortAndDatabase() {
        ConnectionSpec spec = ConnectionSpec.parse("db1:5433/app");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("db1", 5433));
        assertThat(spec.database()).contains("app");
    }

    @Test
    void bracketedIpv6IsStoredWithoutBrackets() {
        ConnectionSpec spec = ConnectionSpec.parse("[::1]:5432/db");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("::1", 5432));
        assertThat(spec.database()).contains("db");
        assertThat(ConnectionSpec.parse("[2001:db8::5]").endpoints()).containsExactly(new Endpoint("2001:db8::5", 5432));
    }

    @Test
    void bareFormWithUserinfoAndQuery() {
        ConnectionSpec spec = ConnectionSpec.parse("user:pass@host:5432/db?sslmode=disable");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("host", 5432));
        assertThat(spec.user()).contains("user");
        assertThat(password(spec)).contains("pass");
        assertThat(spec.database()).contains("db");
        assertThat(spec.parameters()).isEqualTo(Map.of("sslmode", "disable"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres://", "postgresql://", "PostgreSQL://", "POSTGRES://"})
    void bothUrlSchemesInAnyCase(String scheme) {
        ConnectionSpec spec = ConnectionSpec.parse(scheme + "u:p@db1:6432/app?sslmode=require");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("db1", 6432));
        assertThat(spec.user()).contains("u");
        assertThat(password(spec)).contains("p");
        assertThat(spec.database()).contains("app");
        assertThat(spec.parameters()).containsExactly(Map.entry("sslmode", "require"));
    }

    @Test
    void urlDecodesUserinfoDatabaseAndQuery() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "postgresql://us%40er:p%40ss%2Fw%3Ford%3A%25@h/my%20db%2Fx?application_name=a%26b%3Dc");
        assertThat(spec.user()).contains("us@er");
        assertThat(password(spec)).contains("p@ss/w?ord:%");
        assertThat(spec.database()).contains("my db/x");
        assertThat(spec.parameters()).containsEntry("application_name", "a&b=c");
    }

    @Test
    void plusIsASpaceInTheQueryOnly() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://a+b:c+d@h/e+f?application_name=my+app");
        assertThat(spec.user()).contains("a+b");
        assertThat(password(spec)).contains("c+d");
        assertThat(spec.database()).contains("e+f");
        assertThat(spec.parameters()).containsEntry("application_name", "my app");
    }

    @Test
    void urlDecodesUtf8() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://j%C3%BCrgen:%E2%82%AC@h/d%C3%A9j%C3%A0");
        assertThat(spec.user()).contains("jürgen");
        assertThat(password(spec)).contains("€");
        assertThat(spec.database()).contains("déjà");
    }

    @Test
    void passwordMayContainRawAtSign() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://u:p@ss@h/db");
        assertThat(spec.user()).contains("u");
        assertThat(password(spec)).contains("p@ss");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("h", 5432));
    }

    @Test
    void queryUserAndPasswordApplyOnlyWhenUserinfoLacksThem() {
        ConnectionSpec fromQuery = ConnectionSpec.parse("postgres://h/db?user=qu&password=qp&sslmode=disable");
        assertThat(fromQuery.user()).contains("qu");
        assertThat(password(fromQuery)).contains("qp");
        assertThat(fromQuery.parameters()).isEqualTo(Map.of("sslmode", "disable"));

        ConnectionSpec userinfoWins = ConnectionSpec.parse("postgres://iu:ip@h/db?user=qu&password=qp");
        assertThat(userinfoWins.user()).contains("iu");
        assertThat(password(userinfoWins)).contains("ip");

        ConnectionSpec mixed = ConnectionSpec.parse("postgres://iu@h/db?user=qu&password=q%20p");
        assertThat(mixed.user()).contains("iu");
        assertThat(password(mixed)).contains("q p");
    }

    @Test
    void dbnameQueryParameterWhenThePathHasNone() {
        assertThat(ConnectionSpec.parse("postgres://h?dbname=app").database()).contains("app");
        assertThat(ConnectionSpec.parse("postgres://h/?dbname=app").database()).contains("app");
    }

    @Test
    void multiHostUrl() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://h1:5432,h2:5433/db");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("h1", 5432), new Endpoint("h2", 5433));
        assertThat(spec.database()).contains("db");
    }

    @Test
    void multiHostUrlWithDefaultPortsAndIpv6() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://h1,[fe80::1]:6000,10.0.0.7/db");
        assertThat(spec.endpoints()).containsExactly(
                new Endpoint("h1", 5432), new Endpoint("fe80::1", 6000), new Endpoint("10.0.0.7", 5432));
    }

    @Test
    void emptyHostMeansLocalhost() {
        assertThat(ConnectionSpec.parse("postgresql:///db").endpoints()).containsExactly(new Endpoint("localhost", 5432));
        assertThat(ConnectionSpec.parse("postgresql://:5433/db").endpoints())
                .containsExactly(new Endpoint("localhost", 5433));
        assertThat(ConnectionSpec.parse("postgresql://").endpoints()).containsExactly(new Endpoint("localhost", 5432));
    }

    @Test
    void emptyPartsAreAbsent() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://:@h:/?sslmode=disable&&");
        assertThat(spec.user()).isEmpty();
        assertThat(spec.password()).isEmpty();
        assertThat(spec.database()).isEmpty();
        assertThat(spec.endpoints()).containsExactly(new Endpoint("h", 5432));
        assertThat(spec.parameters()).isEqualTo(Map.of("sslmode", "disable"));
    }

    @Test
    void hostIsPercentDecoded() {
        assertThat(ConnectionSpec.parse("postgresql://my%2Dhost/db").endpoints())
                .containsExactly(new Endpoint("my-host", 5432));
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(ConnectionSpec.parse("  db1:5433 \n").endpoints()).containsExactly(new Endpoint("db1", 5433));
    }

    @Test
    void keywordValueString() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "host=db1 port=5433 dbname=app user=u password='it''s' sslmode=disable");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("db1", 5433));
        assertThat(spec.database()).contains("app");
        assertThat(spec.user()).contains("u");
        assertThat(password(spec)).contains("it's");
        assertThat(spec.parameters()).isEqualTo(Map.of("sslmode", "disable"));
    }

    @Test
    void keywordValueBackslashEscapes() {
        assertThat(password(ConnectionSpec.parse("password='a b\\' c\\\\d'"))).contains("a b' c\\d");
        assertThat(password(ConnectionSpec.parse("password=a\\ b\\\\c"))).contains("a b\\c");
    }

    @Test
    void keywordValueWhitespaceAroundEquals() {
        ConnectionSpec spec = ConnectionSpec.parse("host = db1\tport=  5433\n dbname =app");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("db1", 5433));
        assertThat(spec.database()).contains("app");
    }

    @Test
    void keywordValueDoubleQuotesAsUpstream() {
        assertThat(password(ConnectionSpec.parse("host=h password=\"s3cr 3t\" user=u"))).contains("s3cr 3t");
    }

    @Test
    void keywordValueUnquotedValueMayContainEqualsAndQuotes() {
        ConnectionSpec spec = ConnectionSpec.parse("password=a=b'c user=u");
        assertThat(password(spec)).contains("a=b'c");
        assertThat(spec.user()).contains("u");
    }

    @Test
    void keywordValueQuotedValueWithEqualsAndSpaces() {
        ConnectionSpec spec = ConnectionSpec.parse("host=h options='-c geqo=off'");
        assertThat(spec.parameters()).isEqualTo(Map.of("options", "-c geqo=off"));
    }

    @Test
    void keywordValueEmptyValues() {
        ConnectionSpec spec = ConnectionSpec.parse("host=h password='' user= dbname=''");
        assertThat(spec.password()).isEmpty();
        assertThat(spec.database()).isEmpty();
        // libpq: "user= dbname=''" makes "dbname=''" the user's value; here that's the literal text.
        assertThat(spec.user()).contains("dbname=''");
    }

    @Test
    void keywordValueDefaults() {
        ConnectionSpec spec = ConnectionSpec.parse("dbname=app");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("localhost", 5432));
        assertThat(spec.database()).contains("app");
    }

    @Test
    void keywordValueHostAndPortLists() {
        assertThat(ConnectionSpec.parse("host=h1,h2 port=5432,5433").endpoints())
                .containsExactly(new Endpoint("h1", 5432), new Endpoint("h2", 5433));
        assertThat(ConnectionSpec.parse("host=h1,h2 port=6000").endpoints())
                .containsExactly(new Endpoint("h1", 6000), new Endpoint("h2", 6000));
        assertThat(ConnectionSpec.parse("host=,h2 port=,5433").endpoints())
                .containsExactly(new Endpoint("localhost", 5432), new Endpoint("h2", 5433));
        assertThat(ConnectionSpec.parse("port=6001").endpoints()).containsExactly(new Endpoint("localhost", 6001));
    }

    @Test
    void keywordValueIpv6WithOrWithoutBrackets() {
        assertThat(ConnectionSpec.parse("host=::1 port=5433").endpoints()).containsExactly(new Endpoint("::1", 5433));
        assertThat(ConnectionSpec.parse("host=[::1]").endpoints()).containsExactly(new Endpoint("::1", 5432));
    }

    @Test
    void keywordValueWithUnderscoreKeyFirst() {
        ConnectionSpec spec = ConnectionSpec.parse("connect_timeout=5 host=h");
        assertThat(spec.endpoints()).containsExactly(new Endpoint("h", 5432));
        assertThat(spec.parameters()).isEqualTo(Map.of("connect_timeout", "5"));
    }

    @Test
    void parametersAreSortedAndEverythingIsImmutable() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "postgres://h1,h2/db?sslmode=disable&application_name=x&connect_timeout=3");
        assertThat(spec.parameters().keySet()).containsExactly("application_name", "connect_timeout", "sslmode");
        assertThatThrownBy(() -> spec.parameters().put("sslmode", "require"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.endpoints().add(new Endpoint("x", 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void constructorCopiesItsInputs() {
        List<Endpoint> endpoints = new java.util.ArrayList<>(List.of(new Endpoint("h", 5432)));
        Map<String, String> parameters = new java.util.HashMap<>(Map.of("sslmode", "disable"));
        ConnectionSpec spec = new ConnectionSpec(endpoints, Optional.of(""), Optional.of(""),
                                                 Optional.of(Secret.of("")), parameters);
        endpoints.clear();
        parameters.clear();
        assertThat(spec.endpoints()).hasSize(1);
        assertThat(spec.parameters()).hasSize(1);
        assertThat(spec.database()).isEmpty();
        assertThat(spec.user()).isEmpty();
        assertThat(spec.password()).isEmpty();
    }

    @Test
    void equalTargetsGiveEqualSpecs() {
        assertThat(ConnectionSpec.parse("host=h port=5433 dbname=d user=u password=p sslmode=disable"))
                .isEqualTo(ConnectionSpec.parse("postgresql://u:p@h:5433/d?sslmode=disable"))
                .isEqualTo(ConnectionSpec.parse("u:p@h:5433/d?sslmode=disable"));
    }

    @Test
    void supportedParameters() {
        assertThat(ConnectionSpec.supportedParameters()).containsExactly(
                "application_name", "channel_binding", "client_encoding", "connect_timeout", "dbname",
                "fallback_application_name", "gssencmode", "host", "idle_in_transaction_session_timeout",
                "keepalives", "krbsrvname", "lock_timeout", "options", "password", "port", "require_auth",
                "sslcert", "sslkey", "sslmode", "sslnegotiation", "sslpassword", "sslrootcert",
                "statement_timeout", "target_session_attrs", "user");
    }

    @Test
    void endpointValidation() {
        assertThat(new Endpoint("::1", 5432).authority()).isEqualTo("[::1]:5432");
        assertThat(new Endpoint("db1", 1).authority()).isEqualTo("db1:1");
        assertThatThrownBy(() -> new Endpoint("db1", 0))
                .isInstanceOf(TargetException.class)
                .hasMessage("invalid target: port must be between 1 and 65535");
        assertThatThrownBy(() -> new Endpoint("db1", 65536)).isInstanceOf(TargetException.class);
        assertThatThrownBy(() -> new Endpoint("/tmp", 5432))
                .isInstanceOf(TargetException.class)
                .hasMessageContaining("unix-domain sockets are not supported");
        assertThatThrownBy(() -> new Endpoint("a b", 5432))
                .isInstanceOf(TargetException.class)
                .hasMessage("invalid target: host is not a valid host name or IPv6 address");
        assertThatThrownBy(() -> new Endpoint("1:::2", 5432)).isInstanceOf(TargetException.class);
        assertThatThrownBy(() -> new Endpoint("1::2::3", 5432)).isInstanceOf(TargetException.class);
    }
}
