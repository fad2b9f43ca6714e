package io.pgvigil.app;

import java.util.Optional;

/**
 * Every fixed flag of the command line, declared once: its name, help section, kind, default, environment
 * variable and help text. {@link Cli} builds parsing, {@code --help} and the environment fallback from this
 * table; the {@code --[no-]collector.<name>} switches are added from the collector catalog by
 * {@link FlagDeclaration#collector}. Values are converted here (by kind) and checked by the record that holds
 * them ({@code ScrapeOptions}, {@code PoolOptions}, {@link ListenAddress}, ...), never here.
 *
 * <p>In a help text, {@code $ENV} stands for the flag's environment variable and {@code ${DEFAULT-VALUE}}
 * for its default (after the environment), as picocli shows it.
 */
enum Flag {
    HELP(Section.GENERAL, "--help", "-h", Kind.ACTION, "", "", "", "Show context-sensitive help."),
    VERSION(Section.GENERAL, "--version", Kind.ACTION, "", "", "", "Show application version."),
    CONFIG_FILE(Section.GENERAL, "--config.file", Kind.TEXT, "FILE", "postgres_exporter.yml", "",
                "Postgres exporter configuration file (auth modules for /probe). Default: ${DEFAULT-VALUE}"),
    DISABLE_DEFAULT_METRICS(Section.GENERAL, "--disable-default-metrics", Kind.SWITCH, "", "false",
                            "PG_EXPORTER_DISABLE_DEFAULT_METRICS",
                            "Do not include default metrics (pg_static, pg_stat_database_conflicts_*) ($ENV)."),
    DUMP_MAPS(Section.GENERAL, "--dumpmaps", Kind.SWITCH, "", "false", "", "Do not run, simply dump the maps."),
    EXTEND_QUERY_PATH(Section.GENERAL, "--extend.query-path", Kind.TEXT, "PATH", "", "PG_EXPORTER_EXTEND_QUERY_PATH",
                      "Path to custom queries to run ($ENV); reloaded with SIGHUP and POST /-/reload. (DEPRECATED)"),
    CONSTANT_LABELS(Section.GENERAL, "--constantLabels", Kind.TEXT, "LABELS", "", "PG_EXPORTER_CONSTANT_LABELS",
                    "A list of label=value separated by comma(,) ($ENV). (DEPRECATED)"),
    EXCLUDE_DATABASES(Section.GENERAL, "--exclude-databases", Kind.LIST, "DATABASES", "", "PG_EXPORTER_EXCLUDE_DATABASES",
                      "A list of databases to remove when autoDiscoverDatabases is enabled ($ENV); "
                      + "also filters the database collector. (DEPRECATED)"),
    INCLUDE_DATABASES(Section.GENERAL, "--include-databases", Kind.LIST, "DATABASES", "", "PG_EXPORTER_INCLUDE_DATABASES",
                      "A list of databases to include when autoDiscoverDatabases is enabled ($ENV). (DEPRECATED)"),
    AUTO_DISCOVER_DATABASES(Section.GENERAL, "--auto-discover-databases", Kind.SWITCH, "", "false",
                            "PG_EXPORTER_AUTO_DISCOVER_DATABASES",
                            "Whether to discover the databases on a server dynamically ($ENV): on the telemetry path, "
                            + "the other databases of the data source's server are scraped too, for the user queries "
                            + "that are not master-only. (DEPRECATED)"),
    METRIC_PREFIX(Section.GENERAL, "--metric-prefix", Kind.TEXT, "PREFIX", "pg", "PG_EXPORTER_METRIC_PREFIX",
                  "A metric prefix can be used to have non-default (not \"pg\") prefixes for each of the metrics "
                  + "($ENV). Default: ${DEFAULT-VALUE}"),
    COLLECTION_TIMEOUT(Section.GENERAL, "--collection-timeout", Kind.DURATION, "DURATION", "1m", "PG_EXPORTER_COLLECTION_TIMEOUT",
                       "Timeout for collecting the statistics when the database is slow ($ENV). Default: ${DEFAULT-VALUE}"),
    SERVER_WIDE_TTL(Section.GENERAL, "--collection.server-wide-ttl", Kind.DURATION, "DURATION", "5s", "",
                    "Targets on the same server with the same credentials and options (only the database differs) "
                    + "share the result of the server-wide collectors (database, locks, stat_activity, stat_database, "
                    + "replication, ...) for this long, so many databases of one server cost a few collections per interval, "
                    + "not one each; 0s collects them on every scrape. Default: ${DEFAULT-VALUE}"),
    SERVER_WIDE(Section.GENERAL, "--collection.server-wide", Kind.TEXT, "MODE", "every-target", "",
                "Which targets' answers hold the server-wide families (database sizes, stat_database, locks, "
                + "stat_activity, replication, settings, pg_static, ...): every-target, as upstream; or once, only the "
                + "server target's (one naming no database or the database postgres; /metrics unless its data source "
                + "names another database), the others get their per-database families only and run no server-wide "
                + "query. An auth module's server_wide wins for its probes. Default: ${DEFAULT-VALUE}"),
    MAX_OPEN(Section.GENERAL, "--connection.max-open", Kind.INTEGER, "N", "100", "",
             "Most connections open at once over all targets; idle ones are closed least recently used first "
             + "to make room, and a scrape that finds none free waits until its deadline. Default: ${DEFAULT-VALUE}"),
    SERVER_BUDGET(Section.GENERAL, "--connection.server-budget", Kind.TEXT, "SHARE|N", "5%", "",
                  "Most connections open at once to one server (its host:port as the target names it), as a share of "
                  + "its connection slots (max_connections minus superuser_reserved_connections and reserved_connections, "
                  + "learned from the server; at least 1) or a number; an auth module's connection_budget overrides it "
                  + "for its own targets. Databases beyond it take turns: the least recently used idle connection of the "
                  + "server is closed, or the scrape waits until its deadline. Default: ${DEFAULT-VALUE}"),
    IDLE_TIMEOUT(Section.GENERAL, "--connection.idle-timeout", Kind.DURATION, "DURATION", "2m", "",
                 "Close a kept connection after this long without a scrape. Default: ${DEFAULT-VALUE}"),
    LOCK_TIMEOUT(Section.GENERAL, "--connection.lock-timeout", Kind.DURATION, "DURATION", "1s", "",
                 "lock_timeout of every session, so a scrape never queues behind an exclusive lock "
                 + "(a target's lock_timeout parameter overrides it). Default: ${DEFAULT-VALUE}"),
    LISTEN_ADDRESS(Section.WEB, "--web.listen-address", Kind.REPEATED, "ADDRESS", ":9187", "",
                   "Address on which to expose metrics and web interface. Repeatable for multiple addresses; every one "
                   + "is bound, or pgvigil does not start. Default: ${DEFAULT-VALUE}"),
    SYSTEMD_SOCKET(Section.WEB, "--web.systemd-socket", Kind.SWITCH, "", "false", "",
                   "Use systemd socket activation listeners instead of port listeners (Linux only). Exactly one "
                   + "socket (LISTEN_FDS=1), started through bin/pgvigil; --web.listen-address is then ignored."),
    TELEMETRY_PATH(Section.WEB, "--web.telemetry-path", Kind.TEXT, "PATH", "/metrics", "PG_EXPORTER_WEB_TELEMETRY_PATH",
                   "Path under which to expose metrics ($ENV). Default: ${DEFAULT-VALUE}"),
    WEB_CONFIG_FILE(Section.WEB, "--web.config.file", Kind.TEXT, "FILE", "", "",
                    "Path to configuration file that can enable TLS or authentication (exporter-toolkit format). "
                    + "Re-read on SIGHUP and POST /-/reload. Default: none"),
    SHUTDOWN_GRACE_PERIOD(Section.WEB, "--web.shutdown-grace-period", Kind.DURATION, "DURATION", "", "",
                          "How long a SIGTERM/SIGINT waits for requests in flight before stopping (Go duration). "
                          + "Default: --collection-timeout plus 15s"),
    SCRAPE_TIMEOUT_OFFSET(Section.WEB, "--web.scrape-timeout-offset", Kind.DURATION, "DURATION", "500ms", "",
                          "Subtracted from Prometheus' scrape timeout (header X-Prometheus-Scrape-Timeout-Seconds) to get "
                          + "the deadline of a scrape, which --collection-timeout also bounds. Default: ${DEFAULT-VALUE}"),
    LOG_LEVEL(Section.LOG, "--log.level", Kind.TEXT, "LEVEL", "info", "",
              "Only log messages with the given severity or above. One of: " + Logging.levels() + ". Default: ${DEFAULT-VALUE}"),
    LOG_FORMAT(Section.LOG, "--log.format", Kind.TEXT, "FORMAT", "logfmt", "",
               "Output format of log messages. One of: " + Logging.formats() + ". Default: ${DEFAULT-VALUE}"),
    STATEMENTS_INCLUDE_QUERY(Section.COLLECTORS, "--collector.stat_statements.include_query", Kind.SWITCH, "", "false", "",
                             "Enable selecting statement query together with queryId. (default: disabled)"),
    STATEMENTS_QUERY_LENGTH(Section.COLLECTORS, "--collector.stat_statements.query_length", Kind.INTEGER, "LENGTH", "120", "",
                            "Maximum length of the statement text. Default: ${DEFAULT-VALUE}"),
    STATEMENTS_LIMIT(Section.COLLECTORS, "--collector.stat_statements.limit", Kind.INTEGER, "N", "100", "",
                     "Maximum number of statements to return. Default: ${DEFAULT-VALUE}"),
    STATEMENTS_EXCLUDE_DATABASES(Section.COLLECTORS, "--collector.stat_statements.exclude_databases", Kind.LIST, "DATABASES", "", "",
                                 "Comma-separated list of database names to exclude. Default: none"),
    STATEMENTS_EXCLUDE_USERS(Section.COLLECTORS, "--collector.stat_statements.exclude_users", Kind.LIST, "USERS", "", "",
                             "Comma-separated list of user names to exclude. Default: none");

    /** The help sections, in upstream's order. */
    enum Section {
        GENERAL("General flags"), WEB("Web server flags"), LOG("Logging flags"), COLLECTORS("Collector flags");

        private final String heading;

        Section(String heading) {
            this.heading = heading;
        }

        /** {@return the heading of the section in {@code --help}} */
        String heading() {
            return heading;
        }
    }

    /** What a flag takes, and so how it is spelled and converted. */
    enum Kind {
        /** {@code --flag}: does something instead of running ({@code --help}, {@code --version}). */
        ACTION,
        /** {@code --flag} / {@code --no-flag}; its environment variable is read as Go's {@code strconv.ParseBool}. */
        SWITCH,
        /** {@code --flag=text}. */
        TEXT,
        /** {@code --flag=a,b}: comma-separated, blanks trimmed, empty entries dropped. */
        LIST,
        /** {@code --flag=1m30s}: a Go duration. */
        DURATION,
        /** {@code --flag=42}: a whole number. */
        INTEGER,
        /** {@code --flag=text}, given any number of times; the default only when it is not given at all. */
        REPEATED
    }

    private final FlagDeclaration declaration;

    Flag(Section section, String name, Kind kind, String label, String defaultValue, String env, String help) {
        this(section, name, "", kind, label, defaultValue, env, help);
    }

    Flag(Section section, String name, String shortName, Kind kind, String label, String defaultValue, String env,
         String help) {
        this.declaration = new FlagDeclaration(section, name, optional(shortName), kind, label, defaultValue,
                                               optional(env), help);
    }

    private static Optional<String> optional(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** {@return the declaration of this flag} */
    FlagDeclaration declaration() {
        return declaration;
    }

    /** {@return the long name, e.g. {@code --web.listen-address}} */
    String flagName() {
        return declaration.name();
    }
}
