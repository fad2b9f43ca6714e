package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flag-set parity with postgres_exporter v0.20.1: every upstream flag is a row of the flag table (so the command
 * line of an existing deployment parses), is in {@code --help}, and is named in {@code docs/configuration.md}
 * and the README, which say what pgvigil does with it. The upstream list is a test resource copied from the
 * reference; a flag missing from pgvigil fails the build.
 */
class UpstreamFlagsTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();

    static List<String> upstream() throws Exception {
        return Files.readAllLines(MODULE.resolve("src/test/resources/upstream-flags-v0.20.1.txt")).stream()
                .map(String::strip).filter(l -> l.startsWith("--")).toList();
    }

    private static Set<String> pgvigil() {
        Set<String> names = new TreeSet<>();
        Cli.table().forEach(d -> names.add(d.name()));
        return names;
    }

    @Test
    void theUpstreamListIsComplete() throws Exception {
        List<String> upstream = upstream();
        assertThat(upstream).doesNotHaveDuplicates().hasSize(49)
                .filteredOn(f -> f.startsWith("--collector.") && f.indexOf('.', 12) < 0).hasSize(26);
        assertThat(upstream).contains("--extend.query-path", "--auto-discover-databases");
    }

    @Test
    void everyUpstreamFlagIsAFlagOfPgvigil() throws Exception {
        Set<String> missing = new TreeSet<>(upstream());
        missing.removeAll(pgvigil());
        assertThat(missing).as("upstream flags pgvigil does not accept (add a row to Flag)")
                .isEmpty();
    }

    @Test
    void everyUpstreamFlagOfPgvigilIsParsedAsUpstreamSpellsIt() throws Exception {
        for (FlagDeclaration d : Cli.table()) {
            if (!upstream().contains(d.name()) || d.kind() == Flag.Kind.ACTION) {
                continue;
            }
            String[] args = switch (d.kind()) {
                case SWITCH -> new String[] {d.name(), "--no-" + d.name().substring(2)};
                case DURATION -> new String[] {d.name() + "=2m"};
                case INTEGER -> new String[] {d.name() + "=5"};
                case REPEATED -> new String[] {d.name() + "=:1", d.name() + "=:2"};
                default -> new String[] {d.name() + "=a=b"};
            };
            new Cli(v -> null).parse(args);
        }
    }

    @Test
    void helpNamesEveryUpstreamFlagOfPgvigilWithWhatItDoes() throws Exception {
        String usage = new Cli(v -> null).usage();
        for (FlagDeclaration d : Cli.table()) {
            if (upstream().contains(d.name())) {
                assertThat(usage).as(d.name()).contains(d.synopsis());
                assertThat(d.description()).as(d.name()).isNotBlank();
            }
        }
    }

    @Test
    void theDocsAndTheReadmeNameEveryUpstreamFlag() throws Exception {
        String docs = Files.readString(MODULE.resolve("../../docs/configuration.md").normalize());
        String readme = Files.readString(MODULE.resolve("../../README.md").normalize());
        for (String flag : upstream()) {
            String name = flag.substring(2);
            boolean collectorSwitch = name.startsWith("collector.") && name.indexOf('.', "collector.".length()) < 0;
            // the docs table has a row per flag, the collector switches in one row; the README a sentence
            assertThat(docs).as("docs/configuration.md names " + flag)
                    .containsAnyOf("`" + flag + "`", "`--[no-]" + name + "`",
                                   collectorSwitch ? "`--[no-]collector.<name>`" : "`" + flag + "`");
            assertThat(readme).as("README.md names " + flag)
                    .containsAnyOf("`" + flag + "`", "`--[no-]" + name + "`",
                                   collectorSwitch ? "`--[no-]collector.<name>`" : "`" + flag + "`",
                                   name.startsWith("collector.stat_statements.") ? "`--collector.stat_statements.*`" : "`" + flag + "`");
        }
    }
}
