package io.pgvigil.app;

import io.pgvigil.collectors.AutoDiscovery;
import io.pgvigil.collectors.CollectorCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flag table: one row per flag, and parsing, {@code --help} and the environment all follow it. */
class FlagTableTest {
    @Test
    void everyFlagAppearsInHelpOnceInItsSectionWithItsEnvironmentVariable() {
        String usage = new Cli(v -> null).usage();
        List<FlagDeclaration> table = Cli.table();
        assertThat(table).hasSize(Flag.values().length + CollectorCatalog.defaults().size());
        for (FlagDeclaration d : table) {
            int at = position(usage, d.synopsis(), 0);
            assertThat(at).as(d.synopsis()).isNotNegative();
            // the last heading above the flag is its section's
            Flag.Section under = null;
            int headingAt = -1;
            for (Flag.Section section : Flag.Section.values()) {
                int h = usage.lastIndexOf("\n" + section.heading() + ":\n", at);
                if (h > headingAt) {
                    headingAt = h;
                    under = section;
                }
            }
            assertThat(under).as(d.name()).isEqualTo(d.section());
            assertThat(position(usage, d.synopsis(), at + 1)).as(d.name() + " once").isNegative();
            d.env().ifPresent(e -> assertThat(usage).contains("($" + e + ")"));
        }
    }

    /** {@return where the flag's synopsis stands alone in the usage from {@code from} on, or -1} */
    private static int position(String usage, String synopsis, int from) {
        int spaced = usage.indexOf(" " + synopsis + " ", from);
        int wrapped = usage.indexOf(" " + synopsis + "\n", from);
        return spaced < 0 ? wrapped : wrapped < 0 ? spaced : Math.min(spaced, wrapped);
    }

    @Test
    void noTwoFlagsShareASpellingOrAnEnvironmentVariable() {
        Set<String> spellings = new HashSet<>();
        Set<String> variables = new HashSet<>();
        for (FlagDeclaration d : Cli.table()) {
            for (String name : d.names()) {
                assertThat(spellings.add(name)).as("spelling " + name).isTrue();
            }
            if (d.kind() == Flag.Kind.SWITCH) {
                assertThat(spellings.add("--no-" + d.name().substring(2))).as("negation of " + d.name()).isTrue();
            }
            d.env().ifPresent(e -> assertThat(variables.add(e)).as("variable " + e).isTrue());
        }
        assertThat(variables).contains("PG_EXPORTER_WEB_TELEMETRY_PATH", "PG_EXPORTER_DISABLE_DEFAULT_METRICS");
    }

    @Test
    void aDeclarationMustBeConsistent() {
        assertThatThrownBy(() -> new FlagDeclaration(Flag.Section.WEB, "--x", Optional.empty(), Flag.Kind.TEXT, "", "",
                                                     Optional.empty(), "help"))
                .hasMessageContaining("label");
        assertThatThrownBy(() -> new FlagDeclaration(Flag.Section.WEB, "--x", Optional.empty(), Flag.Kind.TEXT, "X", "",
                                                     Optional.of("X_ENV"), "help without the variable"))
                .hasMessageContaining("$ENV");
        assertThatThrownBy(() -> new FlagDeclaration(Flag.Section.WEB, "--x", Optional.empty(), Flag.Kind.SWITCH, "", "yes",
                                                     Optional.empty(), "help"))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> new FlagDeclaration(Flag.Section.WEB, "x", Optional.empty(), Flag.Kind.ACTION, "", "",
                                                     Optional.empty(), "help"))
                .hasMessageContaining("--");
    }

    @Test
    void everyValueIsConvertedByItsKindAndABadOneNamesTheFlag() {
        for (FlagDeclaration d : Cli.table()) {
            String bad = switch (d.kind()) {
                case DURATION -> "soon";
                case INTEGER -> "many";
                default -> "";
            };
            if (!bad.isEmpty()) {
                assertThatThrownBy(() -> new Cli(v -> null).parse(d.name() + "=" + bad), d.name())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith(d.name() + ": ")
                        .hasMessageContaining("\"" + bad + "\"");
            }
        }
    }

    @Test
    void everyEnvironmentVariableSetsItsFlagsDefaultAndTheCommandLineWins() {
        Map<String, String> env = Map.of("PG_EXPORTER_WEB_TELEMETRY_PATH", "/env",
                                         "PG_EXPORTER_METRIC_PREFIX", "envp",
                                         "PG_EXPORTER_COLLECTION_TIMEOUT", "7s",
                                         "PG_EXPORTER_CONSTANT_LABELS", "a=b",
                                         "PG_EXPORTER_EXCLUDE_DATABASES", "x",
                                         "PG_EXPORTER_INCLUDE_DATABASES", "y",
                                         "PG_EXPORTER_DISABLE_DEFAULT_METRICS", "1",
                                         "PG_EXPORTER_EXTEND_QUERY_PATH", "/env/queries.yaml",
                                         "PG_EXPORTER_AUTO_DISCOVER_DATABASES", "true");
        assertThat(Cli.table().stream().flatMap(d -> d.env().stream())).containsExactlyInAnyOrderElementsOf(env.keySet());
        Cli.Options fromEnv = new Cli(env::get).parse();
        assertThat(fromEnv.telemetryPath()).isEqualTo("/env");
        assertThat(fromEnv.scrape().legacy().metricPrefix()).isEqualTo("envp");
        assertThat(fromEnv.scrape().collectionTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(fromEnv.scrape().legacy().constantLabels()).containsExactly(Map.entry("a", "b"));
        assertThat(fromEnv.scrape().collectors().excludeDatabases()).containsExactly("x");
        assertThat(fromEnv.includeDatabases()).containsExactly("y");
        assertThat(fromEnv.scrape().legacy().disableDefaultMetrics()).isTrue();
        assertThat(fromEnv.extendQueryPath()).isEqualTo("/env/queries.yaml");
        assertThat(fromEnv.discovery()).isEqualTo(new AutoDiscovery(true, List.of("y"), List.of("x")));
        assertThat(new Cli(env::get).usage()).contains("Default: envp", "Default: 7s");

        Cli.Options given = new Cli(env::get).parse("--web.telemetry-path=/cli", "--metric-prefix", "clip",
                                                   "--collection-timeout=9s", "--constantLabels=c=d", "--exclude-databases=z",
                                                   "--include-databases=w", "--no-disable-default-metrics",
                                                   "--extend.query-path=/cli/queries.yaml",
                                                   "--no-auto-discover-databases");
        assertThat(given.telemetryPath()).isEqualTo("/cli");
        assertThat(given.scrape().legacy().metricPrefix()).isEqualTo("clip");
        assertThat(given.scrape().collectionTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(given.scrape().legacy().constantLabels()).containsExactly(Map.entry("c", "d"));
        assertThat(given.scrape().collectors().excludeDatabases()).containsExactly("z");
        assertThat(given.includeDatabases()).containsExactly("w");
        assertThat(given.scrape().legacy().disableDefaultMetrics()).isFalse();
        assertThat(given.extendQueryPath()).isEqualTo("/cli/queries.yaml");
        assertThat(given.discovery()).isEqualTo(new AutoDiscovery(false, List.of("w"), List.of("z")));
        // an empty boolean variable is unset, as Go's exporter reads it
        assertThat(new Cli(Map.of("PG_EXPORTER_DISABLE_DEFAULT_METRICS", "")::get).parse().scrape().legacy()
                           .disableDefaultMetrics()).isFalse();
    }

    @Test
    void everyFlagReachesTheOptionsInEverySpelling() {
        Cli.Options defaults = new Cli(v -> null).parse();
        for (FlagDeclaration d : Cli.table()) {
            switch (d.kind()) {
                case ACTION -> {
                    for (String name : d.names()) {
                        assertThat(new Cli(v -> null).parse(name)).as(name).isNotEqualTo(defaults);
                    }
                }
                case SWITCH -> {
                    String negated = "--no-" + d.name().substring(2);
                    assertThat(new Cli(v -> null).parse(d.name())).as(d.name())
                            .isNotEqualTo(new Cli(v -> null).parse(negated));
                }
                case REPEATED -> {
                    Cli.Options twice = new Cli(v -> null).parse(d.name() + "=x:1", d.name(), "y:2");
                    assertThat(twice).as(d.name()).isNotEqualTo(defaults)
                            .isNotEqualTo(new Cli(v -> null).parse(d.name() + "=y:2"));
                }
                case TEXT, LIST, DURATION, INTEGER -> {
                    String value = switch (d.kind()) {
                        case DURATION -> "3s";
                        case INTEGER -> "7";
                        case LIST -> "a,b";
                        // a text flag whose value is checked gets a valid value that is not its default
                        default -> d.name().equals(Flag.SERVER_BUDGET.flagName()) ? "3"
                                : d.name().equals(Flag.SERVER_WIDE.flagName()) ? "once" : "x";
                    };
                    Cli.Options joined = new Cli(v -> null).parse(d.name() + "=" + value);
                    assertThat(joined).as(d.name()).isNotEqualTo(defaults)
                            .isEqualTo(new Cli(v -> null).parse(d.name(), value));
                }
            }
        }
    }

    @Test
    void theLogFlagsListTheValuesLoggingAccepts() {
        assertThat(Logging.levels()).containsExactly("debug", "info", "warn", "error");
        assertThat(Logging.formats()).containsExactly("logfmt", "json");
        assertThat(Flag.LOG_LEVEL.declaration().description()).contains("One of: [debug, info, warn, error].");
        assertThat(Flag.LOG_FORMAT.declaration().description()).contains("One of: [logfmt, json].");
        // only bad values: a good pair would reconfigure this JVM's logging
        assertThatThrownBy(() -> Logging.configure("loud", "logfmt"))
                .hasMessage("invalid --log.level \"loud\" (one of debug, info, warn, error)");
        assertThatThrownBy(() -> Logging.configure("INFO", "xml")).hasMessage("invalid --log.format \"xml\" (one of logfmt, json)");
    }

    @Test
    void everyCollectorHasASwitchBothWays() {
        CollectorCatalog.defaults().forEach((name, on) -> {
            assertThat(new Cli(v -> null).parse().collectors().contains(name)).as(name).isEqualTo(on);
            assertThat(new Cli(v -> null).parse("--collector." + name).collectors()).as(name).contains(name);
            assertThat(new Cli(v -> null).parse("--no-collector." + name).collectors()).as(name).doesNotContain(name);
        });
    }

    @Test
    void aNegativeScrapeTimeoutOffsetIsRefusedByTheOptionsRecord() {
        Cli.Options o = new Cli(v -> null).parse();
        assertThatThrownBy(() -> new Cli.Options(o.listenAddresses(), o.telemetryPath(), o.configFile(), o.shutdownGracePeriod(),
                                                 o.webConfigFile(), o.logLevel(), o.logFormat(), o.collectors(), o.scrape(),
                                                 o.pool(), Duration.ofMillis(-1), o.includeDatabases(), o.warnings(),
                                                 o.dumpMaps(), o.help(), o.version(), o.extendQueryPath(), o.discovery(), o.systemdSocket()))
                .hasMessage("--web.scrape-timeout-offset must not be negative");
        assertThatThrownBy(() -> new Cli.Options(java.util.List.<String>of(), o.telemetryPath(), o.configFile(), o.shutdownGracePeriod(),
                                                 o.webConfigFile(), o.logLevel(), o.logFormat(), o.collectors(), o.scrape(),
                                                 o.pool(), o.scrapeTimeoutOffset(), o.includeDatabases(), o.warnings(),
                                                 o.dumpMaps(), o.help(), o.version(), o.extendQueryPath(), o.discovery(),
                                                 o.systemdSocket()))
                .hasMessage("--web.listen-address must be given at least once");
    }
}
