package io.pgvigil.app;

import io.pgvigil.collectors.CollectorCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The command line, in the reference exporter's spelling: every flag, its default and its environment
 * variable. Built with picocli's programmatic API so that the collector flags come from the
 * {@link CollectorCatalog} rather than a hand-kept list.
 */
final class Cli {
    /** The parsed options. */
    record Options(String listenAddress,
                   String telemetryPath,
                   String configFile,
                   String logLevel,
                   String logFormat,
                   Set<String> collectors,
                   boolean help,
                   boolean version) {
    }

    private final CommandSpec spec;

    Cli() {
        spec = CommandSpec.create().name("pgvigil");
        // Kingpin spelling: --collector.x / --no-collector.x (picocli's default pattern has no dots).
        spec.negatableOptionTransformer(new CommandLine.RegexTransformer.Builder()
                .addPattern("^--no-([\\w.-]+)$", "--$1", "--[no-]$1")
                .addPattern("^--([\\w.-]+)$", "--no-$1", "--[no-]$1")
                .build());
        spec.usageMessage()
                .description("Prometheus exporter for PostgreSQL server metrics (a drop-in replacement for postgres_exporter).",
                             "",
                             "Flags that name an environment variable take their default from it when it is set.")
                .sortOptions(false)
                .width(140)
                .longOptionsMaxWidth(40)
                .footer("",
                        "Environment (default data source of the telemetry path):",
                        "  DATA_SOURCE_NAME        DSN (URL or libpq key=value); wins over the variables below",
                        "  DATA_SOURCE_URI[_FILE]  host[:port][/db][?params] of the data source",
                        "  DATA_SOURCE_USER[_FILE] user of the data source",
                        "  DATA_SOURCE_PASS[_FILE] password of the data source (prefer the _FILE form)");
        spec.addOption(flag("-h", "--help").description("Show context-sensitive help.").build());
        spec.addOption(flag("--version").description("Show application version.").build());
        spec.addOption(value("--web.listen-address", "ADDRESS", ":9187",
                             "Address on which to expose metrics and web interface. Default: ${DEFAULT-VALUE}"));
        spec.addOption(value("--web.telemetry-path", "PATH", "${env:PG_EXPORTER_WEB_TELEMETRY_PATH:-/metrics}",
                             "Path under which to expose metrics ($PG_EXPORTER_WEB_TELEMETRY_PATH). Default: ${DEFAULT-VALUE}"));
        spec.addOption(value("--config.file", "FILE", "postgres_exporter.yml",
                             "Postgres exporter configuration file (auth modules for /probe). Default: ${DEFAULT-VALUE}"));
        spec.addOption(value("--log.level", "LEVEL", "info",
                             "Only log messages with the given severity or above. One of: [debug, info, warn, error]. Default: ${DEFAULT-VALUE}"));
        spec.addOption(value("--log.format", "FORMAT", "logfmt",
                             "Output format of log messages. One of: [logfmt, json]. Default: ${DEFAULT-VALUE}"));
        for (Map.Entry<String, Boolean> c : CollectorCatalog.defaults().entrySet()) {
            spec.addOption(OptionSpec.builder("--collector." + c.getKey())
                                   .negatable(true)
                                   .type(boolean.class)
                                   .arity("0")
                                   // no picocli default: with one, picocli makes the flag toggle it
                                   .description("Enable the " + c.getKey() + " collector (default: "
                                                + (c.getValue() ? "enabled" : "disabled") + ").")
                                   .build());
        }
    }

    private static OptionSpec.Builder flag(String... names) {
        return OptionSpec.builder(names).type(boolean.class).arity("0").defaultValue("false");
    }

    private static OptionSpec value(String name, String label, String defaultValue, String description) {
        return OptionSpec.builder(name).paramLabel("<" + label + ">").type(String.class).arity("1")
                .defaultValue(defaultValue).description(description).build();
    }

    /**
     * @throws CommandLine.ParameterException for an unknown flag or a missing value
     */
    Options parse(String... args) {
        new CommandLine(spec).parseArgs(args);
        Set<String> collectors = new LinkedHashSet<>();
        for (String name : CollectorCatalog.defaults().keySet()) {
            Boolean given = spec.findOption("--collector." + name).getValue();
            if (given == null ? CollectorCatalog.defaults().get(name) : given) {
                collectors.add(name);
            }
        }
        return new Options(string("--web.listen-address"),
                           string("--web.telemetry-path"),
                           string("--config.file"),
                           string("--log.level"),
                           string("--log.format"),
                           collectors,
                           spec.findOption("--help").<Boolean>getValue(),
                           spec.findOption("--version").<Boolean>getValue());
    }

    private String string(String name) {
        Object v = spec.findOption(name).getValue();
        return v == null ? "" : v.toString();
    }

    String usage() {
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
