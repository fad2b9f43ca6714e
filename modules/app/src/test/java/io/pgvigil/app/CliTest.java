package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliTest {
    @Test
    void defaultsAreUpstreams() {
        Cli.Options o = new Cli().parse();
        assertThat(o.listenAddress()).isEqualTo(":9187");
        assertThat(o.configFile()).isEqualTo("postgres_exporter.yml");
        assertThat(o.logLevel()).isEqualTo("info");
        assertThat(o.logFormat()).isEqualTo("logfmt");
        assertThat(o.collectors()).containsExactlyInAnyOrder("database", "locks", "settings", "stat_activity", "stat_database",
                                                             "replication", "replication_slots", "stat_archiver",
                                                             "stat_replication", "wal");
        assertThat(o.help()).isFalse();
    }

    @Test
    void collectorsCanBeSwitchedBothWays() {
        Cli.Options o = new Cli().parse("--no-collector.settings", "--collector.locks", "--web.telemetry-path=/m",
                                        "--web.listen-address", "127.0.0.1:9999", "--log.format=json");
        assertThat(o.collectors()).doesNotContain("settings").contains("locks");
        assertThat(o.telemetryPath()).isEqualTo("/m");
        assertThat(o.listenAddress()).isEqualTo("127.0.0.1:9999");
        assertThat(o.logFormat()).isEqualTo("json");
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
    void listenAddresses() {
        assertThat(ListenAddress.parse(":9187")).isEqualTo(new ListenAddress("0.0.0.0", 9187));
        assertThat(ListenAddress.parse("127.0.0.1:80")).isEqualTo(new ListenAddress("127.0.0.1", 80));
        assertThat(ListenAddress.parse("[::1]:9187")).isEqualTo(new ListenAddress("::1", 9187));
        assertThatThrownBy(() -> ListenAddress.parse("9187")).hasMessageContaining("expected [host]:port");
        assertThatThrownBy(() -> ListenAddress.parse(":http")).hasMessageContaining("not a number");
    }
}
