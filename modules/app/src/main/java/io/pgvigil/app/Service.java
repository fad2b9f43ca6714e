package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.LoadResult;
import io.pgvigil.config.WebConfig;
import io.pgvigil.http.Lifecycle;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running exporter as an operator sees it: ready or not, reloadable, and stoppable once. Owns the
 * resources that must be closed after the server has stopped (e.g. a connection pool). A reload that switches TLS
 * on or off rebuilds the server once the reload has been answered ({@link #reloadAnswered()}).
 */
final class Service implements Lifecycle {
    private static final Logger LOG = System.getLogger(Service.class.getName());

    private final Path configFile;
    private final ConfigState config;
    private final WebConfigFile webConfig;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Runnable> modulesChanged = new ArrayList<>();
    private final List<java.util.function.Supplier<Optional<String>>> reloaded = new ArrayList<>();
    private final AtomicReference<WebServer> server = new AtomicReference<>();
    private final AtomicReference<Listeners> listeners = new AtomicReference<>();
    private final AtomicReference<HttpServers> servers = new AtomicReference<>();
    private final AtomicReference<Optional<Tls>> serverTls = new AtomicReference<>(Optional.empty());
    private final AtomicReference<WebConfigFile.Outcome.Switching> pendingSwitch = new AtomicReference<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Object reloadLock = new Object();

    Service(Path configFile, ConfigState config, WebConfigFile webConfig) {
        this.configFile = configFile;
        this.config = config;
        this.webConfig = webConfig;
    }

    /** Adds what to do when a reload changes the auth modules. */
    synchronized void onModulesChanged(Runnable action) {
        modulesChanged.add(action);
    }

    /**
     * Adds something else reloaded with the config file (e.g. the custom queries); it answers what went wrong, or
     * empty when it reloaded, and a failure makes the reload's outcome unsuccessful.
     */
    synchronized void onReload(java.util.function.Supplier<Optional<String>> action) {
        reloaded.add(action);
    }

    /** Adds a resource closed (in reverse order of adding) once the server has stopped. */
    synchronized void closeOnStop(AutoCloseable resource) {
        closeables.add(resource);
    }

    void started(WebServer webServer) {
        server.set(webServer);
    }

    /** Like {@link #started(WebServer)}, for a server with these listeners (a reload swaps TLS on each). */
    void started(WebServer webServer, Listeners on) {
        listeners.set(on);
        started(webServer);
    }

    /**
     * Like {@link #started(WebServer, Listeners)}, for a server that {@code factory} can rebuild when a reload
     * switches TLS on or off.
     *
     * @param tls the TLS the server was started with
     */
    void started(WebServer webServer, Listeners on, HttpServers factory, Optional<Tls> tls) {
        servers.set(factory);
        serverTls.set(tls);
        started(webServer, on);
    }

    @Override
    public boolean ready() {
        WebServer s = server.get();
        return s != null && s.isRunning() && !stopping.get();
    }

    @Override
    public ReloadOutcome reload() {
        synchronized (reloadLock) {
            LOG.log(Level.INFO, "Reloading configuration file", "file", configFile.toString());
            AuthConfig before = config.get();
            LoadResult result = Main.loadConfig(configFile, config);
            if (!config.get().equals(before)) {
                LOG.log(Level.INFO, "Auth modules changed: closing connections opened with the old ones", "file", configFile.toString());
                modulesChanged.forEach(Runnable::run);
            }
            ReloadOutcome outcome = switch (result) {
                case LoadResult.Loaded loaded -> new ReloadOutcome(true, loaded.describe());
                case LoadResult.Missing missing -> new ReloadOutcome(false, "config file " + missing.file() + " not found");
                case LoadResult.Invalid invalid -> new ReloadOutcome(false, "config file " + invalid.file() + " is invalid: "
                                                                           + String.join("; ", invalid.errors()));
            };
            List<java.util.function.Supplier<Optional<String>>> others;
            synchronized (this) {
                others = new ArrayList<>(reloaded);
            }
            for (java.util.function.Supplier<Optional<String>> other : others) {
                Optional<String> failure = other.get();
                if (failure.isPresent()) {
                    outcome = new ReloadOutcome(false, outcome.successful() ? failure.get() : outcome.message() + "; " + failure.get());
                }
            }
            if (outcome.successful()) {
                LOG.log(Level.INFO, "Completed loading of configuration file", "file", configFile.toString());
            } else {
                LOG.log(Level.ERROR, "Error reloading config; keeping the last good configuration", "file", configFile.toString());
            }
            Optional<java.util.function.Consumer<Tls>> swapTls = Optional.ofNullable(server.get())
                    .map(s -> tls -> {
                        Optional.ofNullable(listeners.get()).ifPresentOrElse(l -> l.reloadTls(s, tls), () -> s.reloadTls(tls));
                        serverTls.set(Optional.of(tls));
                    });
            // a switch not yet carried out is superseded: only the newest file may take effect
            pendingSwitch.set(null);
            return switch (webConfig.load(WebConfigFile.Phase.RELOAD, swapTls)) {
                case WebConfigFile.Outcome.NoFile none -> outcome;
                case WebConfigFile.Outcome.Applied applied -> new ReloadOutcome(
                        outcome.successful(), outcome.message() + "; reloaded web config file " + applied.file());
                case WebConfigFile.Outcome.Switching switching -> {
                    pendingSwitch.set(switching);
                    yield new ReloadOutcome(outcome.successful(), outcome.message() + "; reloaded web config file "
                            + switching.file() + ", which switches TLS " + (switching.tls().isPresent() ? "on" : "off")
                            + ": the listeners restart after this answer");
                }
                case WebConfigFile.Outcome.Rejected rejected -> new ReloadOutcome(
                        false, outcome.successful() ? rejected.reason() : outcome.message() + "; " + rejected.reason());
            };
        }
    }

    /**
     * Called once a reload has been answered (the {@code /-/reload} response sent, or at once for SIGHUP): when it
     * switched TLS on or off, rebuilds the server on another thread, so the stopping server can finish the request
     * that asked for the reload.
     */
    @Override
    public void reloadAnswered() {
        if (pendingSwitch.get() != null) {
            Thread.ofPlatform().name("pgvigil-relisten").daemon(false).start(this::relisten);
        }
    }

    /**
     * Rebuilds the server with the TLS of a pending switch, on the addresses (and ports) the running one has: the old
     * server stops accepting and drains its requests in flight (within its grace period) while the new one binds as
     * soon as the old sockets are closed. When the new one cannot be built, the old one keeps running untouched; when
     * it cannot bind (another process took a port in between), the last good web config and TLS start again there.
     */
    void relisten() {
        synchronized (reloadLock) {
            WebConfigFile.Outcome.Switching next = pendingSwitch.getAndSet(null);
            WebServer old = server.get();
            Listeners on = listeners.get();
            HttpServers factory = servers.get();
            if (next == null || stopping.get()) {
                return;
            }
            if (old == null || on == null || factory == null) {
                LOG.log(Level.ERROR, "Error switching TLS; keeping the running server", "err", "the server cannot be rebuilt");
                return;
            }
            Listeners at = on.bound(old);
            Optional<Tls> oldTls = serverTls.get();
            WebServer built;
            try {
                built = factory.build(at, next.tls());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Error switching TLS; keeping the running server and the last good web config",
                        "file", next.file().toString(), "err", Main.describe(e));
                return;
            }
            WebConfig before = webConfig.get();
            Thread drain = Thread.ofPlatform().name("pgvigil-drain").start(old::stop);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!at.allFree() && drain.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            webConfig.commit(next);
            WebServer started;
            try {
                started = factory.start(built, at);
                serverTls.set(next.tls());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Error switching TLS; starting the last good web config again",
                        "file", next.file().toString(), "err", Main.describe(e));
                webConfig.restore(before);
                try {
                    started = factory.start(factory.build(at, oldTls), at);
                } catch (RuntimeException again) {
                    LOG.log(Level.ERROR, "Error running HTTP server", "err", Main.describe(again));
                    Thread.ofPlatform().name("pgvigil-stop").daemon(false).start(() -> {
                        if (stop("no listener after a failed TLS switch")) {
                            System.exit(1);
                        }
                    });
                    return;
                }
            }
            server.set(started);
            listeners.set(at);
            at.logListening(started, serverTls.get().isPresent());
            if (stopping.get()) {
                started.stop();
            }
        }
    }

    /** @return whether a stop has been requested */
    boolean stopping() {
        return stopping.get();
    }

    /**
     * Stops the server (it stops accepting at once and lets requests in flight finish within its grace
     * period), then closes every resource. Only the first call does anything.
     *
     * @param reason for the log, e.g. the signal name
     * @return whether this call did the stop
     */
    boolean stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            return false;
        }
        LOG.log(Level.INFO, "Shutdown requested, waiting for requests in flight", "reason", reason);
        WebServer s = server.get();
        if (s != null) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Error stopping the HTTP server", "err", String.valueOf(e.getMessage()));
            }
        }
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(closeables);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Error closing a resource", "err", String.valueOf(e.getMessage()));
            }
        }
        LOG.log(Level.INFO, "Shutdown finished");
        return true;
    }
}
