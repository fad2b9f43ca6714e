package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.ConfigLoader;
import io.pgvigil.config.LoadResult;
import io.pgvigil.connect.ClientCertificates;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.HostResolver;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;
import io.pgvigil.http.ExporterRoutes;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Starts pgvigil: parses the command line, loads the config, wires the scraper and serves HTTP. */
public final class Main {
    private static final Logger LOG = System.getLogger(Main.class.getName());
    /** Where Helidon listens under {@code --web.systemd-socket}: loopback, a port the kernel picks. */
    private static final String RELAY_TARGET = "127.0.0.1:0";
    /** How many connections the socket from systemd relays at once (more wait in its backlog). */
    private static final int RELAY_CONNECTIONS = 256;

    private Main() {
    }

    /**
     * The entry point.
     *
     * @param args command-line flags, see {@code --help}
     */
    public static void main(String[] args) {
        int exit = run(args, System.out, System.err);
        if (exit >= 0) {
            System.exit(exit);
        }
    }

    /**
     * Runs pgvigil.
     *
     * @return the exit code for a command that ends (help, version, bad flags), or -1 when the server runs
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Cli cli = new Cli();
        Cli.Options options;
        try {
            options = cli.parse(args);
        } catch (CommandLine.ParameterException e) {
            err.println("pgvigil: error: " + e.getMessage() + ", try --help");
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("pgvigil: error: " + e.getMessage());
            return 1;
        }
        if (options.help()) {
            out.print(cli.usage());
            return 0;
        }
        BuildInfo build = BuildInfo.load();
        if (options.version()) {
            out.println(build.describe());
            return 0;
        }
        if (options.dumpMaps()) {
            out.print(Scraper.dumpMaps(options.scrape().legacy()));
            return 0;
        }
        Listeners listeners;
        Optional<ServerSocketChannel> fromSystemd = Optional.empty();
        try {
            Logging.configure(options.logLevel(), options.logFormat());
            listeners = Listeners.parse(options.listenAddresses());
            if (options.systemdSocket()) {
                fromSystemd = Optional.of(SystemdSocket.take(System::getenv, ProcessHandle.current().pid(),
                                                             SystemdSocket::systemInherited));
                // Helidon listens on a private loopback port; the relay feeds it the socket from systemd.
                listeners = Listeners.parse(List.of(RELAY_TARGET));
            }
        } catch (IllegalArgumentException e) {
            err.println("pgvigil: error: " + e.getMessage());
            return 1;
        }

        options.warnings().forEach(w -> LOG.log(Level.WARNING, w));
        if (!options.scrape().legacy().constantLabels().isEmpty()) {
            LOG.log(Level.WARNING, "Constant labels on all metrics is DEPRECATED");
        }
        if (options.discovery().enabled()) {
            LOG.log(Level.WARNING, "Scraping additional databases via auto discovery is DEPRECATED");
        } else if (!options.includeDatabases().isEmpty()) {
            LOG.log(Level.WARNING, "--include-databases has no effect without --auto-discover-databases");
        }
        if (!options.scrape().collectors().excludeDatabases().isEmpty()) {
            LOG.log(Level.INFO, "Excluded databases", "databases", String.join(",", options.scrape().collectors().excludeDatabases()));
        }

        ConfigState config = new ConfigState();
        loadConfig(Path.of(options.configFile()), config);

        Optional<ConnectionSpec> dataSource;
        try {
            dataSource = DataSources.fromEnvironment(System::getenv);
        } catch (DataSources.DataSourceException e) {
            LOG.log(Level.ERROR, "Failed reading data sources", "err", e.getMessage());
            return 1;
        }
        if (dataSource.isEmpty()) {
            LOG.log(Level.WARNING, "no default data source: /metrics reports pg_up 0; set DATA_SOURCE_NAME or DATA_SOURCE_URI to scrape one");
        } else {
            LOG.log(Level.INFO, "Default data source", "dsn", dataSource.get().redacted());
        }

        WebConfigFile webConfig = new WebConfigFile(
                options.webConfigFile().isEmpty() ? Optional.empty() : Optional.of(Path.of(options.webConfigFile())));
        WebConfigFile.Outcome web = webConfig.load(WebConfigFile.Phase.START, Optional.empty());
        if (web instanceof WebConfigFile.Outcome.Rejected) {
            return 1;
        }
        Optional<Tls> tls = web instanceof WebConfigFile.Outcome.Applied applied ? applied.tls() : Optional.empty();
        Service service = new Service(Path.of(options.configFile()), config, webConfig);
        PooledSource pool = ConnectionSource.pooled(options.pool());
        // Log out of the kept sessions once the server has stopped and the last scrape is done, instead of
        // leaving the servers to notice a dropped socket.
        service.closeOnStop(pool);
        service.onModulesChanged(pool::retireAll);
        Scraper scraper = new Scraper(pool, options.collectors(), options.scrape());
        LOG.log(Level.INFO, "Enabled collectors", "collectors", String.join(",", scraper.collectorNames()),
                "server_wide", options.scrape().serverWide().spelling());
        String queryPath = options.extendQueryPath();
        if (!queryPath.isEmpty()) {
            LOG.log(Level.WARNING, "The extended queries.yaml config is DEPRECATED", "file", queryPath);
        }
        UserQueriesState userQueries = new UserQueriesState(
                queryPath.isEmpty() ? Optional.empty() : Optional.of(Path.of(queryPath)), scraper);
        userQueries.load();
        service.onReload(userQueries::load);
        LOG.log(Level.INFO, "Connection reuse", "max_open", options.pool().maxOpen(),
                "server_budget", options.pool().serverBudget().toString(),
                "idle_timeout", options.pool().idleTimeout().toString(), "lock_timeout", options.pool().lockTimeout().toString(),
                "scrape_timeout_offset", options.scrapeTimeoutOffset().toString());
        ExporterRoutes.Settings settings = new ExporterRoutes.Settings(
                options.telemetryPath(), new ScraperScrapes(scraper, dataSource, options.discovery()), config,
                new SelfMetrics(build, config, new ConnectionMetrics(pool, scraper)), build.version(),
                options.scrapeTimeoutOffset(), service, webConfig::get,
                HostResolver.system(ExporterRoutes.DEFAULT_RESOLVE_TIMEOUT), new PooledDatabases(pool));

        WebServer server;
        HttpServers servers;
        try {
            HttpRouting.Builder routing = HttpRouting.builder();
            ExporterRoutes.register(routing, settings);
            servers = new HttpServers(routing, options.shutdownGracePeriod());
            server = servers.start(servers.build(listeners, tls), listeners);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Error running HTTP server", "address", String.join(",", options.listenAddresses()),
                    "err", describe(e));
            return 1;
        }
        service.started(server, listeners, servers, tls);
        Signals.install(service);
        if (fromSystemd.isPresent()) {
            relay(fromSystemd.get(), server, service, tls.isPresent());
        } else {
            listeners.logListening(server, tls.isPresent());
        }
        return -1;
    }

    /** Relays the socket from systemd to Helidon's loopback listener, closed once the server has stopped. */
    private static void relay(ServerSocketChannel socket, WebServer server, Service service, boolean tls) {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port());
        service.closeOnStop(SocketRelay.start(socket, target, RELAY_CONNECTIONS));
        String address;
        try {
            address = String.valueOf(socket.getLocalAddress());
        } catch (IOException e) {
            address = "?";
        }
        LOG.log(Level.INFO, "Listening on", "address", address.startsWith("/") ? address.substring(1) : address,
                "http2", false, "tls", tls, "systemd_socket", true, "relay_to", target.getHostString() + ":" + target.getPort());
    }

    /** {@return the message of an exception and of its causes (a bind failure says which address only in its cause)} */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append(": ").append(c.getMessage());
        }
        return out.toString();
    }

    static LoadResult loadConfig(Path file, ConfigState state) {
        LoadResult result = ConfigLoader.load(file, state.environment());
        switch (result) {
            case LoadResult.Loaded loaded -> {
                for (AuthModule m : loaded.config().modules().values()) {
                    StringBuilder options = new StringBuilder();
                    m.maskedOptions().forEach((k, v) -> options.append(options.isEmpty() ? "" : ",").append(k).append('=').append(v));
                    String targets = m.targets().map(t -> String.join(",", t.entries().stream()
                            .map(TargetAllowList.Entry::text).toList())).orElse("any");
                    switch (m.credentials()) {
                        case Credentials.UserPass up -> LOG.log(Level.INFO, "Configured auth module", "module", m.name(),
                                "type", up.type(), "user", up.usernameFile().map(f -> "file:" + f).orElse(up.username()),
                                "password", up.passwordFile().map(f -> "file:" + f).orElse(Secret.MASK),
                                "options", options.toString(), "targets", targets);
                        case Credentials.Cert c -> LOG.log(Level.INFO, "Configured auth module", "module", m.name(),
                                "type", c.type(), "user", c.username(), "sslcert", c.sslcert(), "sslkey", c.sslkey(),
                                "sslpassword", c.sslpassword().isPresent() ? Secret.MASK : "", "sslrootcert", c.sslrootcert(),
                                "sslmode", c.sslmode(), "options", options.toString(), "targets", targets);
                    }
                    ClientCertificates.problem(m).ifPresent(problem -> LOG.log(Level.WARNING,
                            "Client certificate of auth module cannot be used; probes with it will fail until it is fixed",
                            "module", m.name(), "err", problem));
                    if (m.targets().isEmpty()) {
                        LOG.log(Level.WARNING, "auth module has no targets: whoever can reach /probe can send its "
                                + "credentials to any host; list the allowed hosts under targets:", "module", m.name());
                    }
                }
                LOG.log(Level.INFO, "Loaded config file", "file", file.toString(), "modules", loaded.config().modules().size());
                ConfigLoader.securityWarnings(loaded.config()).forEach(w -> LOG.log(Level.WARNING, "Auth module security", "warning", w));
            }
            case LoadResult.Missing missing ->
                    LOG.log(Level.WARNING, "Error loading config", "err", missing.describe());
            case LoadResult.Invalid invalid -> {
                LOG.log(Level.ERROR, "Error loading config", "err", invalid.describe());
                for (String e : invalid.errors()) {
                    LOG.log(Level.ERROR, "Error loading config", "err", e);
                }
            }
        }
        state.apply(result);
        return result;
    }
}
