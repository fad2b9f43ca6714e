package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ConnectionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code connection_budget:} of an auth module: its syntax, its errors with file, key and line, and where it goes. */
class ConnectionBudgetConfigTest {
    private static final String PASSWORD = "Budg3t-S3cret";

    @TempDir
    Path dir;

    private LoadResult load(String budget) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, """
                auth_modules:
                  fleet:
                    type: userpass
                    userpass:
                      username: monitor
                      password: %s
                """.formatted(PASSWORD) + budget);
        return ConfigLoader.load(file);
    }

    private List<String> errors(String budget) throws IOException {
        LoadResult result = load(budget);
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        List<String> errors = ((LoadResult.Invalid) result).errors();
        assertThat(String.join("\n", errors)).doesNotContain(PASSWORD);
        return errors;
    }

    @Test
    void aShareOrANumberLoadsAndReachesTheTargetNotItsParameters() throws IOException {
        var share = load("    connection_budget: 2.5%\n").config().module("fleet").orElseThrow();
        assertThat(share.connectionBudget()).contains(new ConnectionBudget.Share(250));
        assertThat(ConfigLoader.summary(share)).endsWith(" connection_budget=2.5%");
        var fixed = load("    connection_budget: 3\n").config().module("fleet").orElseThrow();
        assertThat(fixed.connectionBudget()).contains(new ConnectionBudget.Fixed(3));
        assertThat(fixed.options()).doesNotContainKey("connection_budget");
        ConnectionSpec target = ConnectionSpec.parse("db1:5432/app").withAuthModule(fixed);
        assertThat(target.connectionBudget()).contains(new ConnectionBudget.Fixed(3));
        assertThat(target.parameters()).doesNotContainKey("connection_budget");
        assertThat(target.driverProperties().keySet()).noneMatch(k -> k.toLowerCase().contains("budget"));
    }

    @Test
    void withoutTheKeyOrWithNullTheFlagApplies() throws IOException {
        assertThat(load("").config().module("fleet").orElseThrow().connectionBudget()).isEmpty();
        assertThat(load("    connection_budget:\n").config().module("fleet").orElseThrow().connectionBudget()).isEmpty();
        assertThat(ConfigLoader.summary(load("").config().module("fleet").orElseThrow())).doesNotContain("budget");
    }

    @Test
    void badValuesNameFileKeyAndLine() throws IOException {
        String f = dir.resolve("postgres_exporter.yml").toString();
        assertThat(errors("    connection_budget: 0\n")).containsExactly(
                f + ": auth_modules.fleet.connection_budget: \"0\" is not a number of connections between 1 and 100000"
                + " (line 7, column 24)");
        assertThat(errors("    connection_budget: 150%\n")).containsExactly(
                f + ": auth_modules.fleet.connection_budget: \"150%\" is not a share between 0.01% and 100% (line 7, column 24)");
        assertThat(errors("    connection_budget: lots\n")).singleElement().asString()
                .startsWith(f + ": auth_modules.fleet.connection_budget: \"lots\" is neither a share")
                .endsWith("(line 7, column 24)");
        assertThat(errors("    connection_budget: [5%]\n")).containsExactly(
                f + ": auth_modules.fleet.connection_budget: value must be a share like 5% or a number like 3, not a list"
                + " (line 7, column 24)");
    }

    @Test
    void theKeyIsOneOfTheModuleKeysNotAnOption() throws IOException {
        // Not a libpq parameter: in options it is refused like any unknown one, never passed to the driver.
        assertThat(errors("    options:\n      connection_budget: 3\n")).singleElement().asString()
                .contains("auth_modules.fleet.options").contains("connection_budget");
        assertThat(AuthModulesMapper.MODULE_KEYS).contains("connection_budget");
    }
}
