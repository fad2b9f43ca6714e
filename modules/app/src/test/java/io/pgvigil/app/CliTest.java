package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliTest {
    @Test
    void defaultsAreUpstreams() {
        Cli.Options o = new Cli().parse();
        assertThat(o.listenAddresses()).containsExactly(":9187");
        assertThat(o.systemdSocket()).isFalse();
        assertThat(o.configFile()).isEqualTo("postgres_exporter.yml");
        assertThat(o.logLevel()).isEqualTo("info");
        assertThat(o.logFormat()).isEqualTo("logfmt");
        assertThat(o.collectors()).containsExactlyInAnyOrder("database", "locks", "settings", "stat_activity", "stat_database",
                                                             "stat_bgwriter", "stat_user_tables", "statio_user_tables",
                                                             "replication", "replication_slots", "stat_archiver",
                                                             "stat_replication", "wal", "roles", "stat_progress_vacuum");
        // upstream v0.20.1: 15 collectors on, 11 off
        assertThat(io.pgvigil.collectors.CollectorCatalog.defaults()).hasSize(26);
        assertThat(o.help()).isFalse();
    }

    @Test
    void collectorsCanBeSwitchedBothWays() {
        Cli.Options o = new Cli().parse("--no-collector.settings", "--collector.locks", "--web.telemetry-path=/m",
                                        "--web.listen-address", "127.0.0.1:9999", "--log.format=json");
        assertThat(o.collectors()).doesNotContain("settings").contains("locks");
        assertThat(o.telemetryPath()).isEqualTo("/m");
        assertThat(o.listenAddresses()).containsExactly("127.0.0.1:9999");
        assertThat(o.logFormat()).isEqualTo("json");
    }

    @Test
    void legacyAndStatStatementsFlagsAndTheirEnvironment() {
        java.util.Map<String, String> env = java.util.Map.of(
                "PG_EXPORTER_DISABLE_DEFAULT_METRICS", "true",
                "PG_EXPORTER_CONSTANT_LABELS", "env=prod,broken,team=db",
                "PG_EXPORTER_METRIC_PREFIX", "foo",
                "PG_EXPORTER_EXCLUDE_DATABASES", "template0, template1",
                "PG_EXPORTER_COLLECTION_TIMEOUT", "1m30s");
        Cli.Options o = new Cli(env::get).parse("--collector.stat_statements.limit=5",
                                                "--collector.stat_statements.include_query",
                                                "--collector.stat_statements.exclude_users=a,b");
        assertThat(o.scrape().legacy().disableDefaultMetrics()).isTrue();
        assertThat(o.scrape().legacy().constantLabels()).containsExactly(
                java.util.Map.entry("env", "prod"), java.util.Map.entry("team", "db"));
        assertThat(o.warnings()).singleElement().asString().contains("broken");
        assertThat(o.scrape().legacy().metricPrefix()).isEqualTo("foo");
        assertThat(o.scrape().collectors().excludeDatabases()).containsExactly("template0", "template1");
        assertThat(o.scrape().collectionTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(o.scrape().collectors().statStatements().limit()).isEqualTo(5);
        assertThat(o.scrape().collectors().statStatements().includeQuery()).isTrue();
        assertThat(o.scrape().collectors().statStatements().queryLength()).isEqualTo(120);
        assertThat(o.scrape().collectors().statStatements().excludeUsers()).containsExactly("a", "b");
        // a flag on the command line wins over its environment variable
        assertThat(new Cli(env::get).parse("--no-disable-default-metrics", "--metric-prefix=bar").scrape().legacy())
                .satisfies(l -> {
                    assertThat(l.disableDefaultMetrics()).isFalse();
                    assertThat(l.metricPrefix()).isEqualTo("bar");
                });
    }

    @Test
    void badValuesFailClearly() {
        assertThatThrownBy(() -> new Cli().parse("--collection-timeout=soon")).hasMessageContaining("--collection-timeout");
        assertThatThrownBy(() -> new Cli().parse("--collection-timeout=0")).hasMessageContaining("--collection-timeout");
        assertThatThrownBy(() -> new Cli().parse("--metric-prefix=")).hasMessageContaining("--metric-prefix");
        assertThatThrownBy(() -> new Cli().parse("--collector.stat_statements.query_length=0")).hasMessageContaining("query_length");
        assertThatThrownBy(() -> new Cli().parse("--constantLabels=bad-name=x")).hasMessageContaining("bad-name");
        assertThatThrownBy(() -> new Cli(java.util.Map.of("PG_EXPORTER_DISABLE_DEFAULT_METRICS", "maybe")::get).parse())
                .hasMessageContaining("PG_EXPORTER_DISABLE_DEFAULT_METRICS");
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("1m")).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(java.time.Duration.ofMillis(3_723_500));
        assertThat(GoDuration.parse("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(GoDuration.parse(".5s")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThatThrownBy(() -> GoDuration.parse("10")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> GoDuration.parse("1d")).hasMessageContaining("invalid duration");
    }

    @Test
    void dumpMapsPrintsTheLegacyMapAndExits() {
        var out = new java.io.ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"--dumpmaps", "--metric-prefix=foo"}, new java.io.PrintStream(out),
                            new java.io.PrintStream(new java.io.ByteArrayOutputStream()))).isZero();
        assertThat(out.toString()).startsWith("foo_stat_database_conflicts\n").contains("confl_deadlock COUNTER");
    }

    @Test
    void unknownFlagFailsClearly() {
        assertThatThrownBy(() -> new Cli().parse("--web.listen-adress=:1"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--web.listen-adress");
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        String usage = new Cli().usage();
        assertThat(usage).contains("--web.listen-address", "Default: :9187", "--config.file", "postgres_exporter.yml",
                                   "--[no-]collector.stat_database", "Enable the stat_database collector (default: enabled).",
                                   "DATA_SOURCE_NAME", "PG_EXPORTER_WEB_TELEMETRY_PATH");
    }

    @Test
    void helpIsGroupedAsUpstreamsAndNamesTheNewFlags() {
        String usage = new Cli().usage();
        int general = usage.indexOf("General flags:");
        int web = usage.indexOf("Web server flags:");
        int log = usage.indexOf("Logging flags:");
        int collectors = usage.indexOf("Collector flags:");
        assertThat(general).isNotNegative().isLessThan(web);
        assertThat(web).isLessThan(log);
        assertThat(log).isLessThan(collectors);
        assertThat(usage.substring(web, log)).contains("--web.listen-address", "--web.telemetry-path", "--web.config.file",
                                                       "--web.shutdown-grace-period").doesNotContain("--log.level");
        assertThat(usage.substring(log, collectors)).contains("--log.level", "--log.format");
        assertThat(usage.substring(collectors)).contains("--[no-]collector.wal", "--collector.stat_statements.limit");
        assertThat(usage.substring(general, web)).contains("--config.file", "--collection-timeout", "--version");
    }

    @Test
    void flagsOfDifferentGroupsMayBeInterleaved() {
        Cli.Options o = new Cli(v -> null).parse("--web.listen-address=:1", "--log.level=debug", "--collector.wal",
                                                 "--web.telemetry-path=/m", "--config.file=x.yml", "--no-collector.locks",
                                                 "--log.format=json", "--web.config.file=w.yml", "--web.shutdown-grace-period=5s");
        assertThat(o.listenAddresses()).containsExactly(":1");
        assertThat(o.telemetryPath()).isEqualTo("/m");
        assertThat(o.logLevel()).isEqualTo("debug");
        assertThat(o.logFormat()).isEqualTo("json");
        assertThat(o.configFile()).isEqualTo("x.yml");
        assertThat(o.webConfigFile()).isEqualTo("w.yml");
        assertThat(o.shutdownGracePeriod()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(o.collectors()).contains("wal").doesNotContain("locks");
        assertThat(new Cli(v -> null).parse().shutdownGracePeriod()).isEqualTo(java.time.Duration.ofSeconds(75));
        assertThat(new Cli(v -> null).parse("--collection-timeout=2m").shutdownGracePeriod()).isEqualTo(java.time.Duration.ofSeconds(135));
        assertThatThrownBy(() -> new Cli(v -> null).parse("--web.shutdown-grace-period=soon"))
                .hasMessageContaining("--web.shutdown-grace-period");
    }

    @Test
    void versionNamesVersionRevisionAndJava() {
        String v = new BuildInfo("1.2.3", "abc123", "main").describe();
        assertThat(v).contains("version 1.2.3", "revision: abc123", "java:     " + Runtime.version());
    }

    @Test
    void exitCodesOfRun() {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"--help"}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isZero();
        assertThat(out.toString()).contains("--web.telemetry-path");
        assertThat(Main.run(new String[] {"--version"}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isZero();
        assertThat(out.toString()).contains("pgvigil, version ");
        assertThat(Main.run(new String[] {"--bogus"}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(1);
        assertThat(err.toString()).contains("--bogus", "try --help");
        assertThat(Main.run(new String[] {"--log.level=loud"}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(1);
        assertThat(err.toString()).contains("--log.level");
    }

    @Test
    void listenAddressIsRepeatableAndEveryOneIsKeptInOrder() {
        Cli.Options o = new Cli(v -> null).parse("--web.listen-address=127.0.0.1:1", "--log.level=debug",
                                                 "--web.listen-address", "[::1]:2", "--web.listen-address=:3");
        assertThat(o.listenAddresses()).containsExactly("127.0.0.1:1", "[::1]:2", ":3");
        assertThat(Listeners.parse(o.listenAddresses()).addresses()).containsExactly(
                new ListenAddress("127.0.0.1", 1), new ListenAddress("::1", 2), new ListenAddress("0.0.0.0", 3));
        assertThat(Listeners.parse(o.listenAddresses()).socketNames()).containsExactly("@default", "listen-1", "listen-2");
        assertThatThrownBy(() -> Listeners.parse(java.util.List.of(":1", "nope")))
                .hasMessageContaining("invalid --web.listen-address \"nope\"");
        assertThat(new Cli(v -> null).parse("--web.systemd-socket").systemdSocket()).isTrue();
    }

    @Test
    void listenAddresses() {
        assertThat(ListenAddress.parse(":9187")).isEqualTo(new ListenAddress("0.0.0.0", 9187));
        assertThat(ListenAddress.parse("127.0.0.1:80")).isEqualTo(new ListenAddress("127.0.0.1", 80));
        assertThat(ListenAddress.parse("[::1]:9187")).isEqualTo(new ListenAddress("::1", 9187));
        assertThatThrownBy(() -> ListenAddress.parse("9187")).hasMessageContaining("expected [host]:port");
        assertThatThrownBy(() -> ListenAddress.parse(":http")).hasMessageContaining("not a number");
    }
}
