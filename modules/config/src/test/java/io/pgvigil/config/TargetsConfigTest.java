package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.TargetAllowList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code targets:} of an auth module: the allow-list, its validation with file, key and line. */
class TargetsConfigTest {
    private static final String PASSWORD = "T4rgets-S3cret";

    @TempDir
    Path dir;

    /** {@return the config file of these tests: one module {@code prod} and the keys a test adds} */
    private OneModuleFile file() {
        return new OneModuleFile(dir, PASSWORD);
    }

    @Test
    void aFlowListAndABlockListLoad() throws IOException {
        LoadResult flow = file().load("""
                    targets: [db1.example.com:5432, 10.0.0.0/16, "*.prod.example.com", "[2001:db8::5]:6432"]
                """);
        AuthModule module = flow.config().module("prod").orElseThrow();
        assertThat(module.targets()).map(TargetAllowList::toString)
                .contains("[db1.example.com:5432, 10.0.0.0/16, *.prod.example.com, [2001:db8:0:0:0:0:0:5]:6432]");
        LoadResult block = file().load("""
                    targets:
                      - localhost
                      - 127.0.0.0/8
                """);
        assertThat(block.config().module("prod").orElseThrow().targets()).map(TargetAllowList::toString)
                .contains("[localhost, 127.0.0.0/8]");
        assertThat(ConfigLoader.summary(block.config().module("prod").orElseThrow()))
                .isEqualTo("type=userpass user=monitor options=\"\" targets=\"localhost,127.0.0.0/8\"");
    }

    @Test
    void withoutTheKeyOrWithNullAnyTargetIsAllowed() throws IOException {
        assertThat(file().load("").config().module("prod").orElseThrow().targets()).isEmpty();
        assertThat(file().load("    targets:\n").config().module("prod").orElseThrow().targets()).isEmpty();
        assertThat(ConfigLoader.summary(file().load("").config().module("prod").orElseThrow())).doesNotContain("targets");
    }

    @Test
    void everyBadEntryIsReportedWithItsIndexAndLine() throws IOException {
        String f = dir.resolve("postgres_exporter.yml").toString();
        assertThat(file().errors("""
                    targets:
                      - db1.example.com
                      - 10.0.0.1/16
                      - "db*.example.com"
                      - [nested]
                      - db1.example.com:99999
                """)).containsExactly(
                f + ": auth_modules.prod.targets[1]: \"10.0.0.1/16\": the address has bits set after the prefix "
                        + "length; write the first address of the block (line 9, column 9)",
                f + ": auth_modules.prod.targets[2]: \"db*.example.com\": a wildcard must be the whole first label, "
                        + "as in *.prod.example.com (line 10, column 9)",
                f + ": auth_modules.prod.targets[3]: value must be a string, not a list (line 11, column 9)",
                f + ": auth_modules.prod.targets[4]: \"db1.example.com:99999\": the port must be a number from 1 to "
                        + "65535 (line 12, column 9)");
    }

    @Test
    void anEmptyListAMapAndAScalarAreRefused() throws IOException {
        String f = dir.resolve("postgres_exporter.yml").toString();
        assertThat(file().errors("    targets: []\n")).containsExactly(f + ": auth_modules.prod.targets: must list at least "
                + "one target (line 7, column 14); leave the key out to allow any target");
        assertThat(file().errors("    targets: db1.example.com\n")).containsExactly(f + ": auth_modules.prod.targets: value "
                + "must be a list of hosts, host:port, CIDR blocks or *.domain wildcards, not a string");
        assertThat(file().errors("    targets: {db1: 5432}\n")).hasSize(1);
        assertThat(file().errors("    targets: [~]\n")).containsExactly(
                f + ": auth_modules.prod.targets[0]: value must be a string, not null (line 7, column 15)");
    }

    /** Every documented YAML example with {@code targets:} loads as it is. */
    @Test
    void theDocumentedExamplesLoad() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent().getParent();
        // The example file itself: ExampleFileTest (it needs its variables and certificate files).
        int examples = 0;
        for (String doc : List.of("docs/configuration.md", "docs/security.md")) {
            String text = Files.readString(root.resolve(doc));
            java.util.regex.Matcher blocks = java.util.regex.Pattern.compile("```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL)
                    .matcher(text);
            while (blocks.find()) {
                if (blocks.group(1).contains("targets:")) {
                    Path file = dir.resolve("example" + examples++ + ".yml");
                    Files.writeString(file, blocks.group(1));
                    LoadResult result = ConfigLoader.load(file);
                    assertThat(result).as(doc + "\n" + blocks.group(1)).isInstanceOf(LoadResult.Loaded.class);
                    assertThat(result.config().modules().values()).allSatisfy(m -> assertThat(m.targets()).isPresent());
                }
            }
        }
        assertThat(examples).isEqualTo(2);
    }
}
