package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.pgvigil.config.WebConfig;
import io.pgvigil.config.WebConfigLoader;
import io.pgvigil.http.WebSecurity;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@code --web.config.file} in force (TLS, basic auth, headers). Start-up and every reload go through
 * {@link #load}: the whole file is validated and its TLS context built before anything is swapped, and a problem
 * is handled and logged the same way in both; only the wording of the log lines says which it was.
 */
final class WebConfigFile implements Supplier<WebConfig> {
    private static final Logger LOG = System.getLogger(WebConfigFile.class.getName());

    /** When a load happens. */
    enum Phase {
        /** Before the server starts: a problem stops pgvigil. */
        START("Error running HTTP server", "Loaded web config file"),
        /**
         * On SIGHUP or {@code POST /-/reload}: a problem keeps the file in force; a file that switches TLS on or off
         * is put in force by {@link #commit} once the listeners have been rebuilt.
         */
        RELOAD("Error reloading web config; keeping the last good one", "Completed loading of web config file");

        private final String failure;
        private final String success;

        Phase(String failure, String success) {
            this.failure = failure;
            this.success = success;
        }
    }

    /** What a load did. */
    sealed interface Outcome {
        /** No {@code --web.config.file}: nothing was read, no TLS, no authentication. */
        record NoFile() implements Outcome {
        }

        /**
         * The file was valid and is now in force.
         *
         * @param file   the file read
         * @param config the new configuration
         * @param tls    its TLS context, when it enables TLS
         */
        record Applied(Path file, WebConfig config, Optional<Tls> tls) implements Outcome {
        }

        /**
         * The file is valid but switches TLS on or off, which a running listener cannot do: nothing is in force yet;
         * the caller rebuilds the server with {@code tls} and then calls {@link #commit}, or keeps the old one.
         *
         * @param file   the file read
         * @param config the new configuration
         * @param tls    its TLS context, empty when it switches TLS off
         */
        record Switching(Path file, WebConfig config, Optional<Tls> tls) implements Outcome {
        }

        /**
         * The file was not used; what was in force stays.
         *
         * @param reason why, safe to log and to send to a client (names the file, never a secret)
         */
        record Rejected(String reason) implements Outcome {
        }
    }

    private final Optional<Path> file;
    private final AtomicReference<WebConfig> current = new AtomicReference<>(WebConfig.none());

    /** @param file the {@code --web.config.file}, if one was given */
    WebConfigFile(Optional<Path> file) {
        this.file = file;
    }

    /** {@return a web config without a file: no TLS, no authentication, no extra headers} */
    static WebConfigFile none() {
        return new WebConfigFile(Optional.empty());
    }

    /** {@return the file, if one was given} */
    Optional<Path> file() {
        return file;
    }

    /** {@return the configuration in force, {@link WebConfig#none()} before a successful load} */
    @Override
    public WebConfig get() {
        return current.get();
    }

    /**
     * Reads and validates the file and, when it is good, puts it in force: the running server's TLS context
     * (when there is one) first, then users and headers. Every problem is logged at error level.
     *
     * @param phase   start-up or reload
     * @param running puts a new TLS context in force on the running server's listeners; empty before it has started
     * @return what happened
     */
    Outcome load(Phase phase, Optional<Consumer<Tls>> running) {
        if (file.isEmpty()) {
            return new Outcome.NoFile();
        }
        Path path = file.get();
        WebConfig next;
        Optional<Tls> tls;
        try {
            next = WebConfigLoader.load(path);
            tls = next.tls().map(WebSecurity::tls);
        } catch (WebConfigLoader.InvalidWebConfigException e) {
            return rejected(phase, e.errors(), "web config file " + path + " is invalid: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return rejected(phase, List.of(e.getMessage()), "web config file " + path + ": " + e.getMessage());
        }
        if (phase == Phase.RELOAD && tls.isPresent() != current.get().tls().isPresent()) {
            LOG.log(Level.INFO, "Web config file switches TLS " + (tls.isPresent() ? "on" : "off")
                                + ": rebuilding the listeners", "file", path.toString());
            return new Outcome.Switching(path, next, tls);
        }
        running.ifPresent(swap -> tls.ifPresent(swap));
        put(phase, path, next, tls);
        return new Outcome.Applied(path, next, tls);
    }

    /**
     * Puts in force a file that switched TLS on or off, once the server has been rebuilt with its TLS (the server
     * is not yet serving, or its first requests see this file's users and headers a moment late).
     *
     * @param switching what {@link #load} answered
     */
    void commit(Outcome.Switching switching) {
        put(Phase.RELOAD, switching.file(), switching.config(), switching.tls());
    }

    /**
     * Puts back the configuration that was in force before a {@link #commit} whose server could not start.
     *
     * @param previous what {@link #get()} answered before the commit
     */
    void restore(WebConfig previous) {
        current.set(previous);
        LOG.log(Level.WARNING, "Restored the last good web config", "tls", previous.tls().isPresent(),
                "basic_auth_users", previous.basicAuthUsers().size());
    }

    private void put(Phase phase, Path path, WebConfig next, Optional<Tls> tls) {
        current.set(next);
        LOG.log(Level.INFO, phase.success, "file", path.toString(),
                "tls", tls.isPresent(), "basic_auth_users", next.basicAuthUsers().size());
    }

    private static Outcome rejected(Phase phase, List<String> problems, String reason) {
        problems.forEach(problem -> LOG.log(Level.ERROR, phase.failure, "err", problem));
        return new Outcome.Rejected(reason);
    }
}
