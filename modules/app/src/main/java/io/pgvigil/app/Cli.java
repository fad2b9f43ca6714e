package io.pgvigil.app;

import io.pgvigil.connect.PoolOptions;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.CollectorOptions;
import io.pgvigil.collectors.LegacyOptions;
import io.pgvigil.collectors.ScrapeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
                   Duration shutdownGracePeriod,
                   String webConfigFile,
                   String logLevel,
                   String logFormat,
                   Set<String> collectors,
                   ScrapeOptions scrape,
                   PoolOptions pool,
                   Duration scrapeTimeoutOffset,
                   List<String> includeDatabases,
                   List<String> warnings,
                   boolean dumpMaps,
                   boolean help,
                   boolean version) {
    }

    private final CommandSpec spec;
    private final Function<String, String> env;

    Cli() {
        this(System::getenv);
    }

    /** @param env the environment, for the flags that take their default from it */
    Cli(Function<String, String> env) {
        this.env = env;
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
                .customSynopsis("pgvigil [<flags>]")
                .sortOptions(false)
                .width(140)
                .longOptionsMaxWidth(48)
                .footer("",
                        "Environment (default data source of the telemetry path):",
                        "  DATA_SOURCE_NAME        DSN (URL or libpq key=value); wins over the variables below",
                        "  DATA_SOURCE_URI[_FILE]  host[:port][/db][?params] of the data source",
                        "  DATA_SOURCE_USER[_FILE] user of the data source",
                        "  DATA_SOURCE_PASS[_FILE] password of the data source (prefer the _FILE form)");
        add("general", flag("-h", "--help").description("Show context-sensitive help.").build());
        add("general", flag("--version").description("Show application version.").build());
        add("web", value("--web.listen-address", "ADDRESS", ":9187",
                             "Address on which to expose metrics and web interface. Default: ${DEFAULT-VALUE}"));
        add("web", value("--web.telemetry-path", "PATH", fromEnv("PG_EXPORTER_WEB_TELEMETRY_PATH", "/metrics"),
                             "Path under which to expose metrics ($PG_EXPORTER_WEB_TELEMETRY_PATH). Default: ${DEFAULT-VALUE}"));
        add("web", value("--web.config.file", "FILE", "",
                             "Path to configuration file that can enable TLS or authentication (exporter-toolkit format). "
                             + "Re-read on SIGHUP and POST /-/reload. Default: none"));
        add("web", value("--web.shutdown-grace-period", "DURATION", "",
                             "How long a SIGTERM/SIGINT waits for requests in flight before stopping (Go duration). "
                             + "Default: --collection-timeout plus 15s"));
        add("general", value("--config.file", "FILE", "postgres_exporter.yml",
                             "Postgres exporter configuration file (auth modules for /probe). Default: ${DEFAULT-VALUE}"));
        add("general", negatable("--disable-default-metrics",
                                 "Do not include default metrics (pg_static, pg_stat_database_conflicts_*) ($PG_EXPORTER_DISABLE_DEFAULT_METRICS)."));
        add("general", negatable("--dumpmaps", "Do not run, simply dump the maps."));
        add("general", value("--constantLabels", "LABELS", fromEnv("PG_EXPORTER_CONSTANT_LABELS", ""),
                             "A list of label=value separated by comma(,) ($PG_EXPORTER_CONSTANT_LABELS). (DEPRECATED)"));
        add("general", value("--exclude-databases", "DATABASES", fromEnv("PG_EXPORTER_EXCLUDE_DATABASES", ""),
                             "A list of databases to remove when autoDiscoverDatabases is enabled ($PG_EXPORTER_EXCLUDE_DATABASES); "
                             + "also filters the database collector. (DEPRECATED)"));
        add("general", value("--include-databases", "DATABASES", fromEnv("PG_EXPORTER_INCLUDE_DATABASES", ""),
                             "A list of databases to include when autoDiscoverDatabases is enabled ($PG_EXPORTER_INCLUDE_DATABASES). "
                             + "pgvigil has no auto-discovery: accepted for compatibility, no effect. (DEPRECATED)"));
        add("general", value("--metric-prefix", "PREFIX", fromEnv("PG_EXPORTER_METRIC_PREFIX", "pg"),
                             "A metric prefix can be used to have non-default (not \"pg\") prefixes for each of the metrics "
                             + "($PG_EXPORTER_METRIC_PREFIX). Default: ${DEFAULT-VALUE}"));
        add("general", value("--collection-timeout", "DURATION", fromEnv("PG_EXPORTER_COLLECTION_TIMEOUT", "1m"),
                             "Timeout for collecting the statistics when the database is slow ($PG_EXPORTER_COLLECTION_TIMEOUT). "
                             + "Default: ${DEFAULT-VALUE}"));
        add("web", value("--web.scrape-timeout-offset", "DURATION", "500ms",
                             "Subtracted from Prometheus' scrape timeout (header X-Prometheus-Scrape-Timeout-Seconds) to get "
                             + "the deadline of a scrape, which --collection-timeout also bounds. Default: ${DEFAULT-VALUE}"));
        add("general", value("--collection.server-wide-ttl", "DURATION", "5s",
                             "Targets on the same server with the same credentials and options (only the database differs) "
                             + "share the result of the server-wide collectors (database, locks, stat_activity, stat_database, "
                             + "replication, ...) for this long, so many databases of one server cost a few collections per interval, not one each; "
                             + "0s collects them on every scrape. Default: ${DEFAULT-VALUE}"));
        add("general", value("--connection.max-open", "N", "100",
                             "Most connections open at once over all targets; idle ones are closed least recently used first "
                             + "to make room, and a scrape that finds none free waits until its deadline. Default: ${DEFAULT-VALUE}"));
        add("general", value("--connection.idle-timeout", "DURATION", "2m",
                             "Close a kept connection after this long without a scrape. Default: ${DEFAULT-VALUE}"));
        add("general", value("--connection.lock-timeout", "DURATION", "1s",
                             "lock_timeout of every session, so a scrape never queues behind an exclusive lock "
                             + "(a target's lock_timeout parameter overrides it). Default: ${DEFAULT-VALUE}"));
        add("log", value("--log.level", "LEVEL", "info",
                             "Only log messages with the given severity or above. One of: [debug, info, warn, error]. Default: ${DEFAULT-VALUE}"));
        add("log", value("--log.format", "FORMAT", "logfmt",
                             "Output format of log messages. One of: [logfmt, json]. Default: ${DEFAULT-VALUE}"));
        for (Map.Entry<String, Boolean> c : CollectorCatalog.defaults().entrySet()) {
            add("collectors", negatable("--collector." + c.getKey(), "Enable the " + c.getKey() + " collector (default: "
                                                                  + (c.getValue() ? "enabled" : "disabled") + ")."));
        }
        add("collectors", negatable("--collector.stat_statements.include_query",
                                 "Enable selecting statement query together with queryId. (default: disabled)"));
        add("collectors", value("--collector.stat_statements.query_length", "LENGTH", "120",
                             "Maximum length of the statement text. Default: ${DEFAULT-VALUE}"));
        add("collectors", value("--collector.stat_statements.limit", "N", "100",
                             "Maximum number of statements to return. Default: ${DEFAULT-VALUE}"));
        add("collectors", value("--collector.stat_statements.exclude_databases", "DATABASES", "",
                             "Comma-separated list of database names to exclude. Default: none"));
        add("collectors", value("--collector.stat_statements.exclude_users", "USERS", "",
                             "Comma-separated list of user names to exclude. Default: none"));
        addGroups();
    }

    /** Flags by help section, in upstream's order; picocli argument groups only give the help its headings. */
    private final Map<String, List<OptionSpec>> groups = new java.util.LinkedHashMap<>();

    private void add(String group, OptionSpec option) {
        groups.computeIfAbsent(group, g -> new java.util.ArrayList<>()).add(option);
    }

    private void addGroups() {
        Map<String, String> headings = Map.of("general", "%nGeneral flags:%n", "web", "%nWeb server flags:%n",
                                              "log", "%nLogging flags:%n", "collectors", "%nCollector flags:%n");
        for (Map.Entry<String, List<OptionSpec>> g : groups.entrySet()) {
            CommandLine.Model.ArgGroupSpec.Builder b = CommandLine.Model.ArgGroupSpec.builder()
                    .heading(headings.get(g.getKey())).exclusive(false).validate(false).multiplicity("0..1");
            g.getValue().forEach(b::addArg);
            spec.addArgGroup(b.build());
        }
    }

    private String fromEnv(String variable, String fallback) {
        String v = env.apply(variable);
        return v == null ? fallback : v;
    }

    private static OptionSpec.Builder flag(String... names) {
        return OptionSpec.builder(names).type(boolean.class).arity("0").defaultValue("false");
    }

    /** A {@code --[no-]name} flag; no picocli default (with one, picocli makes the flag toggle it). */
    private static OptionSpec negatable(String name, String description) {
        return OptionSpec.builder(name).negatable(true).type(boolean.class).arity("0").description(description).build();
    }

    private static OptionSpec value(String name, String label, String defaultValue, String description) {
        return OptionSpec.builder(name).paramLabel("<" + label + ">").type(String.class).arity("1")
                .defaultValue(defaultValue).description(description).build();
    }

    /**
     * @throws CommandLine.ParameterException for an unknown flag or a missing value
     * @throws IllegalArgumentException       for a value that is not valid (named in the message)
     */
    Options parse(String... args) {
        new CommandLine(spec).parseArgs(args);
        Set<String> collectors = new LinkedHashSet<>();
        for (String name : CollectorCatalog.defaults().keySet()) {
            if (bool("--collector." + name, CollectorCatalog.defaults().get(name))) {
                collectors.add(name);
            }
        }
        ConstantLabels constantLabels = ConstantLabels.parse(string("--constantLabels"));
        Duration timeout;
        try {
            timeout = GoDuration.parse(string("--collection-timeout"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--collection-timeout: " + e.getMessage());
        }
        Duration grace = timeout.plusSeconds(15);
        if (!string("--web.shutdown-grace-period").isEmpty()) {
            try {
                grace = GoDuration.parse(string("--web.shutdown-grace-period"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--web.shutdown-grace-period: " + e.getMessage());
            }
        }
        CollectorOptions.StatStatements statements = new CollectorOptions.StatStatements(
                bool("--collector.stat_statements.include_query", false),
                positiveInt("--collector.stat_statements.query_length"),
                nonNegativeInt("--collector.stat_statements.limit"),
                list(string("--collector.stat_statements.exclude_databases")),
                list(string("--collector.stat_statements.exclude_users")));
        ScrapeOptions scrape = new ScrapeOptions(
                new CollectorOptions(statements, list(string("--exclude-databases"))),
                new LegacyOptions(bool("--disable-default-metrics", envBool("PG_EXPORTER_DISABLE_DEFAULT_METRICS")),
                                  constantLabels.labels(), string("--metric-prefix")),
                timeout,
                duration("--collection.server-wide-ttl"));
        int maxOpen = positiveInt("--connection.max-open");
        Duration idleTimeout = duration("--connection.idle-timeout");
        if (idleTimeout.isZero()) {
            throw new IllegalArgumentException("--connection.idle-timeout must be greater than zero");
        }
        PoolOptions pool = new PoolOptions(maxOpen, idleTimeout, duration("--connection.lock-timeout"));
        Duration offset = duration("--web.scrape-timeout-offset");
        if (offset.isNegative()) {
            throw new IllegalArgumentException("--web.scrape-timeout-offset must not be negative");
        }
        return new Options(string("--web.listen-address"),
                           string("--web.telemetry-path"),
                           string("--config.file"),
                           grace,
                           string("--web.config.file"),
                           string("--log.level"),
                           string("--log.format"),
                           collectors,
                           scrape,
                           pool,
                           offset,
                           list(string("--include-databases")),
                           constantLabels.problems(),
                           bool("--dumpmaps", false),
                           bool("--help", false),
                           bool("--version", false));
    }

    private Duration duration(String name) {
        try {
            return GoDuration.parse(string(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private boolean bool(String name, boolean fallback) {
        Boolean given = spec.findOption(name).getValue();
        return given == null ? fallback : given;
    }

    /** A boolean environment variable as Go's strconv.ParseBool reads it; unset is false. */
    private boolean envBool(String variable) {
        String v = env.apply(variable);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException("$" + variable + ": \"" + v + "\" is not a boolean");
        };
    }

    private int positiveInt(String name) {
        int v = integer(name);
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be greater than zero");
        }
        return v;
    }

    private int nonNegativeInt(String name) {
        int v = integer(name);
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return v;
    }

    private int integer(String name) {
        String s = string(name);
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + s + "\" is not a whole number");
        }
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private String string(String name) {
        OptionSpec option = spec.findOption(name);
        Object v = option.getValue();
        if (v == null) {
            // Options of a help group that was not matched on the command line keep no value: use the default.
            v = option.defaultValue();
        }
        return v == null ? "" : v.toString();
    }

    String usage() {
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
