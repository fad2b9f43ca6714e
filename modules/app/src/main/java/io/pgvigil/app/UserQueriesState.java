package io.pgvigil.app;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.collectors.UserQueries;
import io.pgvigil.config.UserQueriesFile;
import io.pgvigil.config.UserQueriesLoader;
import io.pgvigil.config.UserQueriesResult;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The custom-queries file ({@code --extend.query-path}): read at start and on every reload, mapped from the config
 * module's file to the scraper's queries. A file that fails to load is logged with every problem (file, key, line)
 * and reported as {@code pg_exporter_user_queries_load_error 1}; the last good queries stay in force (none at start).
 */
final class UserQueriesState {
    private static final Logger LOG = System.getLogger(UserQueriesState.class.getName());

    private final Optional<Path> file;
    private final Scraper scraper;
    private UserQueries lastGood = UserQueries.none();

    /**
     * @param file    the file, empty when the flag is not given (then nothing is loaded or reported)
     * @param scraper where the queries go
     */
    UserQueriesState(Optional<Path> file, Scraper scraper) {
        this.file = file;
        this.scraper = scraper;
    }

    /**
     * Reads the file and hands the queries to the scraper.
     *
     * @return empty when there is no file or it loaded; otherwise what went wrong, in one line
     */
    synchronized Optional<String> load() {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        String name = file.get().toString();
        switch (UserQueriesLoader.load(file.get())) {
            case UserQueriesResult.Loaded loaded -> {
                UserQueriesFile f = loaded.queries();
                f.warnings().forEach(w -> LOG.log(Level.WARNING, "Custom queries", "warning", w));
                lastGood = map(f);
                scraper.userQueries(lastGood);
                LOG.log(Level.INFO, "Loaded custom queries", "file", name, "namespaces", f.namespaces().size(), "hashsum", f.sha256());
                return Optional.empty();
            }
            case UserQueriesResult.Failed failed -> {
                failed.errors().forEach(e -> LOG.log(Level.ERROR, "Failed to reload user queries", "path", name, "err", e));
                scraper.userQueries(new UserQueries(lastGood.namespaces(), Optional.of(new UserQueries.Status(name, failed.sha256(), true))));
                return Optional.of("custom queries file " + name + " is invalid: " + String.join("; ", failed.errors()));
            }
        }
    }

    /** The config module's file as the scraper's queries; the {@code runonserver} range becomes a version test. */
    static UserQueries map(UserQueriesFile f) {
        List<UserQueries.Namespace> namespaces = f.namespaces().stream().map(ns -> new UserQueries.Namespace(
                ns.name(), ns.query(), ns.master(), Duration.ofSeconds(ns.cacheSeconds()),
                version -> ns.runOnServer().map(range -> range.includes(version)).orElse(true),
                ns.columns().stream()
                        .map(c -> new UserQueries.Column(c.name(), UserQueries.Usage.valueOf(c.usage()), c.description()))
                        .toList())).toList();
        return new UserQueries(namespaces, Optional.of(new UserQueries.Status(f.file().toString(), f.sha256(), false)));
    }
}
