package io.pgvigil.dsn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --connection.server-budget} and {@code connection_budget}: the syntax, the arithmetic, and how a target carries it. */
class ConnectionBudgetTest {

    @ParameterizedTest
    @CsvSource({"5%, 500, 5%", "2.5%, 250, 2.5%", "2.50%, 250, 2.5%", "0.01%, 1, 0.01%", "100%, 10000, 100%",
                "' 12.34% ', 1234, 12.34%", "7.05%, 705, 7.05%"})
    void sharesParseToBasisPoints(String text, int basisPoints, String shown) {
        ConnectionBudget budget = ConnectionBudget.parse(text);
        assertThat(budget).isEqualTo(new ConnectionBudget.Share(basisPoints));
        assertThat(budget.toString()).isEqualTo(shown);
        assertThat(ConnectionBudget.parse(shown)).isEqualTo(budget);
    }

    @Test
    void numbersAreFixed() {
        assertThat(ConnectionBudget.parse("3")).isEqualTo(new ConnectionBudget.Fixed(3));
        assertThat(ConnectionBudget.parse("1").toString()).isEqualTo("1");
        assertThat(ConnectionBudget.DEFAULT).hasToString("5%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "0", "0%", "0.00%", "100.01%", "101%", "-1", "-5%", "5 %", "5.555%", "five", "5%%",
                            "1e3", "3.5", "100001", "99999999999999999999", "%", ".5%", "5.%"})
    void badValuesAreRefusedWithAClearMessage(String text) {
        assertThatThrownBy(() -> ConnectionBudget.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*(share|number of connections).*");
    }

    @Test
    void aLongOrUnprintableValueIsNotEchoed() {
        assertThatThrownBy(() -> ConnectionBudget.parse("x".repeat(50))).hasMessageNotContaining("xxxx");
        assertThatThrownBy(() -> ConnectionBudget.parse("5\u0007%")).hasMessageStartingWith("the value");
    }

    @ParameterizedTest(name = "{0} of {1} available slots -> {2}")
    @CsvSource({
            "5%, 97, 4",      // max_connections 100, 3 reserved for superusers: the default budget
            "5%, 100, 5",
            "5%, 17, 1",      // max_connections 20: 0.85 rounds down, and never below 1
            "5%, 15, 1",      // the same with reserved_connections = 2 (PostgreSQL 16+)
            "5%, 0, 1",       // every slot reserved: still one, or pgvigil could never connect
            "50%, 1, 1",
            "20%, 15, 3",
            "2.5%, 1000, 25",
            "100%, 97, 97",
            "3, 17, 3",       // a number is a number, whatever the server's size
            "3, 1, 3"})
    void aShareIsTakenOfTheAvailableSlotsRoundedDownAndAtLeastOne(String budget, int available, int connections) {
        assertThat(ConnectionBudget.parse(budget).connections(OptionalInt.of(available))).isEqualTo(connections);
    }

    @Test
    void untilTheServerIsKnownAShareAllowsOneAndANumberItself() {
        assertThat(ConnectionBudget.DEFAULT.connections(OptionalInt.empty())).isEqualTo(1);
        assertThat(ConnectionBudget.parse("100%").connections(OptionalInt.empty())).isEqualTo(1);
        assertThat(ConnectionBudget.parse("4").connections(OptionalInt.empty())).isEqualTo(4);
    }

    @Test
    void aModuleBudgetGoesToTheTargetButNotIntoItsKeyNorToTheDriver() {
        AuthModule module = new AuthModule("fleet", new Credentials.UserPass("mon", Secret.of("pw")), Map.of("sslmode", "disable"),
                                           Optional.empty(), Optional.of(ConnectionBudget.parse("2")), Optional.empty(), DiscoveryOptions.SERVERS_ONLY);
        ConnectionSpec plain = ConnectionSpec.parse("db1:5433/app");
        ConnectionSpec merged = plain.withAuthModule(module);
        assertThat(merged.connectionBudget()).contains(new ConnectionBudget.Fixed(2));
        assertThat(merged.driverProperties()).doesNotContainKeys("connection_budget", "connectionBudget");
        assertThat(merged.redacted()).doesNotContain("budget");
        assertThat(merged.withoutConnectionBudget().connectionBudget()).isEmpty();
        assertThat(merged.withoutConnectionBudget())
                .isEqualTo(plain.withAuthModule(new AuthModule("other", module.credentials(), module.options())));
        // Kept through what happens to a target after the merge.
        assertThat(merged.withFileContents(Optional.empty(), Optional.empty()).connectionBudget()).contains(new ConnectionBudget.Fixed(2));
        assertThat(merged.pinnedTo(Map.of(new Endpoint("db1", 5433), java.util.List.of())).connectionBudget())
                .contains(new ConnectionBudget.Fixed(2));
        assertThat(module.toString()).contains("connection_budget=2");
        // A module without one leaves the flag to apply.
        assertThat(plain.withAuthModule(new AuthModule("x", module.credentials(), Map.of())).connectionBudget()).isEmpty();
    }

    @Test
    void theServerIsTheEndpointsAsWrittenWithoutCredentials() {
        assertThat(ConnectionSpec.parse("postgresql://u:secret@db1:5433/app").server()).isEqualTo("db1:5433");
        assertThat(ConnectionSpec.parse("db1/app").server()).isEqualTo("db1:5432");
        assertThat(ConnectionSpec.parse("postgresql://[::1]:5433/app").server()).isEqualTo("[::1]:5433");
        assertThat(ConnectionSpec.parse("postgresql://u:pw@db1:5432,db2:5433/app").server()).isEqualTo("db1:5432,db2:5433");
        assertThat(ConnectionSpec.parse("host=db1 port=6000 user=u password=secret dbname=x").server()).isEqualTo("db1:6000");
    }
}
