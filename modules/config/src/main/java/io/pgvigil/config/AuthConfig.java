package io.pgvigil.config;

import io.pgvigil.dsn.AuthModule;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The auth modules of the config file, by name.
 *
 * @param modules the modules keyed by {@link AuthModule#name()}; copied, sorted by name and unmodifiable
 */
public record AuthConfig(Map<String, AuthModule> modules) {
    private static final AuthConfig EMPTY = new AuthConfig(Map.of());

    public AuthConfig {
        Objects.requireNonNull(modules, "modules");
        TreeMap<String, AuthModule> copy = new TreeMap<>();
        modules.forEach((name, module) -> {
            Objects.requireNonNull(module, "module");
            if (!name.equals(module.name())) {
                throw new IllegalArgumentException("module key \"" + name + "\" does not match its name \""
                        + module.name() + "\"");
            }
            copy.put(name, module);
        });
        modules = Collections.unmodifiableMap(copy);
    }

    /** {@return a config without modules} */
    public static AuthConfig empty() {
        return EMPTY;
    }

    /**
     * Looks a module up by the name used in {@code /probe?auth_module=<name>}.
     *
     * @param name the module name
     * @return the module, or empty if there is none of that name
     */
    public Optional<AuthModule> module(String name) {
        return Optional.ofNullable(modules.get(Objects.requireNonNull(name, "name")));
    }
}
