package io.pgvigil.app;

import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.Environment;
import io.pgvigil.config.LoadResult;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The auth modules in force and how the last load went. Swapped atomically, so a probe sees either
 * the old or the new configuration, never a mix.
 */
final class ConfigState implements Supplier<AuthConfig> {
    private record State(AuthConfig config, boolean lastLoadSuccessful, double lastSuccessSeconds) {
    }

    private final AtomicReference<State> state = new AtomicReference<>(new State(AuthConfig.empty(), false, 0));
    private final Environment environment;

    /** A state whose loads expand {@code ${VAR}} from the process environment. */
    ConfigState() {
        this(Environment.system());
    }

    /** A state whose loads (start and every reload) expand {@code ${VAR}} from {@code environment}. */
    ConfigState(Environment environment) {
        this.environment = environment;
    }

    /** {@return where loads look up {@code ${VAR}}} */
    Environment environment() {
        return environment;
    }

    /** Applies a load result: a successful load replaces the modules, a failed one keeps the last good ones. */
    void apply(LoadResult result) {
        state.updateAndGet(old -> switch (result) {
            case LoadResult.Loaded loaded -> new State(loaded.config(), true, System.currentTimeMillis() / 1000.0);
            case LoadResult.Missing missing -> new State(old.config(), false, old.lastSuccessSeconds());
            case LoadResult.Invalid invalid -> new State(old.config(), false, old.lastSuccessSeconds());
        });
    }

    @Override
    public AuthConfig get() {
        return state.get().config();
    }

    boolean lastLoadSuccessful() {
        return state.get().lastLoadSuccessful();
    }

    double lastSuccessSeconds() {
        return state.get().lastSuccessSeconds();
    }
}
