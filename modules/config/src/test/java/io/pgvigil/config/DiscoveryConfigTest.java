package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.DiscoveryOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discovery:} of an auth module: its keys, defaults and errors with file, key and line. */
class DiscoveryConfigTest {
    private static final String PASSWORD = "D1scovery-S3cret";

    @TempDir
    Path dir;

    /** {@return the config file of these tests: one module {@code prod} and the keys a test adds} */
    private OneModuleFile file() {
        return new OneModuleFile(dir, PASSWORD);
    }

    @Test
    void databaseDiscoveryLoadsWithPatternsAndRefresh() throws IOException {
        LoadResult result = file().load("""
                    targets: [db1.example.com:5432]
                    discovery:
                      databases: true
                      include: ["app_.*", "billing"]
                      exclude: [".*_test"]
                      refresh: 1m30s
                """);
        DiscoveryOptions discovery = result.config().module("prod").orElseThrow().discovery();
        assertThat(discovery).isEqualTo(new DiscoveryOptions(true, List.of("app_.*", "billing"), List.of(".*_test"),
                                                             Duration.ofSeconds(90)));
        assertThat(discovery.filter()).accepts("app_1", "billing").rejects("app_test", "billing2", "postgres");
    }

    @Test
    void withoutTheKeyOrWithAnEmptyMapTheServersAreListed() throws IOException {
        assertThat(file().load("    targets: [db1]\n").config().module("prod").orElseThrow().discovery())
                .isEqualTo(DiscoveryOptions.SERVERS_ONLY);
        DiscoveryOptions empty = file().load("    targets: [db1]\n    discovery: {}\n").config().module("prod").orElseThrow()
                .discovery();
        assertThat(empty.databases()).isFalse();
        assertThat(empty.refresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(empty.filter()).accepts("anything");
    }

    @Test
    void everyBadValueIsAnErrorWithFileKeyAndLine() throws IOException {
        List<String> errors = file().errors("""
                    targets: [db1]
                    discovery:
                      databases: "yes please"
                      include: ["app_(", 5, [x]]
                      exclude: not-a-list
                      refresh: 200ms
                      refres: 30s
                """);
        String p = dir.resolve("postgres_exporter.yml") + ": auth_modules.prod.discovery";
        assertThat(errors).containsExactlyInAnyOrder(
                p + ": unknown key \"refres\" (allowed: databases, include, exclude, refresh)",
                p + ".databases: value must be true or false, not a string (line 9, column 18)",
                p + ".include[0]: \"app_(\": invalid regular expression: Unclosed group near index 5 (line 10, column 17)",
                p + ".include[2]: value must be a string, not a list (line 10, column 29)",
                p + ".exclude: value must be a list of regular expressions, not a string (line 11, column 16)",
                p + ".refresh: must be at least 1s (line 12, column 16)");
    }

    @Test
    void aNumberIsAPatternAsWrittenAndABadDurationIsNamed() throws IOException {
        LoadResult numbers = file().load("    targets: [db1]\n    discovery: {databases: true, include: [5]}\n");
        assertThat(numbers.config().module("prod").orElseThrow().discovery().include()).containsExactly("5");
        assertThat(file().errors("    targets: [db1]\n    discovery: {refresh: soon}\n")).containsExactly(
                dir.resolve("postgres_exporter.yml") + ": auth_modules.prod.discovery.refresh: invalid duration"
                + " \"soon\" (e.g. 30s, 2m, 1m30s) (line 8, column 26)");
        assertThat(file().errors("    discovery: [databases]\n")).containsExactly(
                dir.resolve("postgres_exporter.yml") + ": auth_modules.prod.discovery: value must be a map (keys:"
                + " databases, include, exclude, refresh), not a list (line 7, column 16)");
    }

    @Test
    void databaseDiscoveryNeedsTargets() throws IOException {
        assertThat(file().errors("    discovery: {databases: true}\n")).containsExactly(
                dir.resolve("postgres_exporter.yml") + ": auth_modules.prod.discovery: databases: true needs"
                + " \"targets\" naming the servers whose databases are listed");
        assertThat(file().errors("    targets: [db1]\n    options: {dbname: app}\n    discovery: {databases: true}\n"))
                .containsExactly(dir.resolve("postgres_exporter.yml") + ": auth_modules.prod.discovery: databases: true"
                        + " cannot be combined with options.dbname, which would replace the database of every listed target");
    }
}
