package io.pgvigil.app;

import io.pgvigil.collectors.AutoDiscovery;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.CollectorOptions;
import io.pgvigil.collectors.LegacyOptions;
import io.pgvigil.collectors.ScrapeOptions;
import io.pgvigil.dsn.ServerWide;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The command line, in the reference exporter's spelling. Every flag comes from one table: the {@link Flag}
 * enum and a {@code --[no-]collector.<name>} switch per collector of the {@link CollectorCatalog}. picocli's
 * programmatic API parses it and writes {@code --help}; values are converted by their {@link Flag.Kind} and
 * checked by the records that hold them.
 */
final class Cli {
    /**
     * The parsed options, one component per flag (the collector switches make up {@code collectors}, the options
     * of a scrape and of the pool are their own records, which check their values).
     *
     * @param listenAddresses     every {@code --web.listen-address}, in the order given; at least one
     * @param systemdSocket       {@code --web.systemd-socket}: serve the sockets systemd passes instead
     * @param scrapeTimeoutOffset {@code --web.scrape-timeout-offset}, not negative
     * @param warnings            what the command line asked for that was skipped, to log
     * @param discovery           {@code --auto-discover-databases} with its include and exclude lists
     */
    record Options(List<String> listenAddresses,
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
                   boolean version,
                   String extendQueryPath,
                   AutoDiscovery discovery,
                   boolean systemdSocket) {
        Options {
            listenAddresses = List.copyOf(listenAddresses);
            if (listenAddresses.isEmpty()) {
                throw new IllegalArgumentException(Flag.LISTEN_ADDRESS.flagName() + " must be given at least once");
            }
            Objects.requireNonNull(scrape, "scrape");
            Objects.requireNonNull(discovery, "discovery");
            Objects.requireNonNull(pool, "pool");
            if (scrapeTimeoutOffset.isNegative()) {
                throw new IllegalArgumentException(Flag.SCRAPE_TIMEOUT_OFFSET.flagName() + " must not be negative");
            }
        }
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
        // picocli argument groups only give the help its headings; they are not validated.
        List<FlagDeclaration> table = table();
        for (Flag.Section section : Flag.Section.values()) {
            ArgGroupSpec.Builder group = ArgGroupSpec.builder().heading("%n" + section.heading() + ":%n")
                    .exclusive(false).validate(false).multiplicity("0..1");
            table.stream().filter(d -> d.section() == section).forEach(d -> group.addArg(option(d)));
            spec.addArgGroup(group.build());
        }
    }

    /**
     * Every flag, in the order of {@code --help}: by section, the collector switches first in theirs.
     *
     * @return the table
     */
    static List<FlagDeclaration> table() {
        List<FlagDeclaration> out = new ArrayList<>();
        for (Flag.Section section : Flag.Section.values()) {
            if (section == Flag.Section.COLLECTORS) {
                CollectorCatalog.defaults().forEach((name, on) -> out.add(FlagDeclaration.collector(name, on)));
            }
            for (Flag f : Flag.values()) {
                if (f.declaration().section() == section) {
                    out.add(f.declaration());
                }
            }
        }
        return List.copyOf(out);
    }

    private OptionSpec option(FlagDeclaration d) {
        OptionSpec.Builder b = OptionSpec.builder(d.names()).description(d.description());
        return switch (d.kind()) {
            case ACTION -> b.type(boolean.class).arity("0").defaultValue("false").build();
            // no picocli default: with one, picocli makes the flag toggle it
            case SWITCH -> b.negatable(true).type(boolean.class).arity("0").build();
            case TEXT, LIST, DURATION, INTEGER -> b.paramLabel("<" + d.label() + ">").type(String.class).arity("1")
                    .defaultValue(d.defaultIn(env)).build();
            case REPEATED -> b.paramLabel("<" + d.label() + ">").type(List.class).auxiliaryTypes(String.class).arity("1")
                    .defaultValue(d.defaultIn(env)).build();
        };
    }

    /**
     * @throws CommandLine.ParameterException for an unknown flag or a missing value
     * @throws IllegalArgumentException       for a value that is not valid (named in the message)
     */
    Options parse(String... args) {
        new CommandLine(spec).parseArgs(args);
        Set<String> collectors = new LinkedHashSet<>();
        for (Map.Entry<String, Boolean> c : CollectorCatalog.defaults().entrySet()) {
            if (on(FlagDeclaration.collector(c.getKey(), c.getValue()))) {
                collectors.add(c.getKey());
            }
        }
        ConstantLabels constantLabels = ConstantLabels.parse(text(Flag.CONSTANT_LABELS));
        Duration timeout = duration(Flag.COLLECTION_TIMEOUT);
        Duration grace = text(Flag.SHUTDOWN_GRACE_PERIOD).isEmpty() ? timeout.plusSeconds(15)
                                                                   : duration(Flag.SHUTDOWN_GRACE_PERIOD);
        CollectorOptions.StatStatements statements = new CollectorOptions.StatStatements(
                on(Flag.STATEMENTS_INCLUDE_QUERY),
                integer(Flag.STATEMENTS_QUERY_LENGTH),
                integer(Flag.STATEMENTS_LIMIT),
                list(Flag.STATEMENTS_EXCLUDE_DATABASES),
                list(Flag.STATEMENTS_EXCLUDE_USERS));
        ScrapeOptions scrape = new ScrapeOptions(
                new CollectorOptions(statements, list(Flag.EXCLUDE_DATABASES)),
                new LegacyOptions(on(Flag.DISABLE_DEFAULT_METRICS), constantLabels.labels(), text(Flag.METRIC_PREFIX)),
                timeout,
                duration(Flag.SERVER_WIDE_TTL),
                serverWide(Flag.SERVER_WIDE));
        PoolOptions pool = new PoolOptions(integer(Flag.MAX_OPEN), duration(Flag.IDLE_TIMEOUT), duration(Flag.LOCK_TIMEOUT),
                                           budget(Flag.SERVER_BUDGET));
        return new Options(repeated(Flag.LISTEN_ADDRESS),
                           text(Flag.TELEMETRY_PATH),
                           text(Flag.CONFIG_FILE),
                           grace,
                           text(Flag.WEB_CONFIG_FILE),
                           text(Flag.LOG_LEVEL),
                           text(Flag.LOG_FORMAT),
                           collectors,
                           scrape,
                           pool,
                           duration(Flag.SCRAPE_TIMEOUT_OFFSET),
                           list(Flag.INCLUDE_DATABASES),
                           constantLabels.problems(),
                           on(Flag.DUMP_MAPS),
                           on(Flag.HELP),
                           on(Flag.VERSION),
                           text(Flag.EXTEND_QUERY_PATH),
                           new AutoDiscovery(on(Flag.AUTO_DISCOVER_DATABASES), list(Flag.INCLUDE_DATABASES),
                                             list(Flag.EXCLUDE_DATABASES)),
                           on(Flag.SYSTEMD_SOCKET));
    }

    private boolean on(Flag flag) {
        return on(flag.declaration());
    }

    private boolean on(FlagDeclaration d) {
        // read (and checked) even when the flag is given, as before the table
        boolean fallback = d.kind() == Flag.Kind.SWITCH && d.switchDefaultIn(env);
        Boolean given = spec.findOption(d.name()).getValue();
        return given == null ? fallback : given;
    }

    private Duration duration(Flag flag) {
        return flag.declaration().duration(text(flag));
    }

    private ConnectionBudget budget(Flag flag) {
        try {
            return ConnectionBudget.parse(text(flag));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag.flagName() + ": " + e.getMessage());
        }
    }

    private ServerWide serverWide(Flag flag) {
        String given = text(flag);
        return ServerWide.parse(given).orElseThrow(() -> new IllegalArgumentException(
                flag.flagName() + ": \"" + given + "\" is not " + String.join(" or ", ServerWide.spellings())));
    }

    private int integer(Flag flag) {
        return flag.declaration().integer(text(flag));
    }

    private List<String> list(Flag flag) {
        return FlagDeclaration.list(text(flag));
    }

    private List<String> repeated(Flag flag) {
        OptionSpec option = spec.findOption(flag.flagName());
        List<String> given = option.getValue();
        if (given == null || given.isEmpty()) {
            // as for text(): an unmatched help group keeps no value
            String fallback = option.defaultValue();
            return fallback == null || fallback.isEmpty() ? List.of() : List.of(fallback);
        }
        return List.copyOf(given);
    }

    private String text(Flag flag) {
        OptionSpec option = spec.findOption(flag.flagName());
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
