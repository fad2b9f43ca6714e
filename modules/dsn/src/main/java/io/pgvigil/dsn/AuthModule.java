package io.pgvigil.dsn;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One entry of {@code auth_modules} in the config file: named credentials plus extra connection
 * parameters ({@code options}, libpq names) that override the target's.
 *
 * @param name        the module name used as {@code /probe?auth_module=<name>}
 * @param credentials how to authenticate
 * @param options     extra connection parameters, libpq spelling; copied, sorted and unmodifiable
 * @param targets     the targets the module may be used for ({@code targets:}); empty when the file has no such
 *                    key, and then any target may be probed with it (upstream's behaviour)
 * @param connectionBudget {@code connection_budget:}, how many connections to one server the leases of this module
 *                    may hold; empty for {@code --connection.server-budget}. Not a libpq parameter: it goes to the
 *                    target ({@link ConnectionSpec#connectionBudget()}), never to the driver.
 * @param serverWide  {@code server_wide:}, where the module's probes put the server-wide families; empty when the
 *                    file has no such key, and then {@code --collection.server-wide} decides
 * @param discovery   what {@code /discovery} lists for the module ({@code discovery:}); by default the servers of
 *                    {@code targets}
 */
public record AuthModule(String name, Credentials credentials, Map<String, String> options,
                         Optional<TargetAllowList> targets, Optional<ConnectionBudget> connectionBudget,
                         Optional<ServerWide> serverWide, DiscoveryOptions discovery) {
    public AuthModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credentials, "credentials");
        options = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(options, "options")));
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(connectionBudget, "connectionBudget");
        Objects.requireNonNull(serverWide, "serverWide");
        Objects.requireNonNull(discovery, "discovery");
    }

    /** A module with neither a budget nor a server-wide mode of its own: the flags apply; {@code /discovery} lists the servers of its {@code targets}. */
    public AuthModule(String name, Credentials credentials, Map<String, String> options,
                      Optional<TargetAllowList> targets) {
        this(name, credentials, options, targets, Optional.empty(), Optional.empty(), DiscoveryOptions.SERVERS_ONLY);
    }

    /** A module without an allow-list: any target may be probed with it. */
    public AuthModule(String name, Credentials credentials, Map<String, String> options) {
        this(name, credentials, options, Optional.empty());
    }

    /** Option names whose values are secrets and are never shown. */
    static boolean isSecretOption(String key) {
        return key.equals("password") || key.equals("sslpassword");
    }

    /** @return the options with secret values ({@code sslpassword}) replaced by {@link Secret#MASK}, for logs */
    public Map<String, String> maskedOptions() {
        Map<String, String> shown = new TreeMap<>();
        options.forEach((k, v) -> shown.put(k, isSecretOption(k) ? Secret.MASK : v));
        return java.util.Collections.unmodifiableMap(shown);
    }

    @Override
    public String toString() {
        return "AuthModule[name=" + name + ", credentials=" + credentials + ", options=" + maskedOptions()
                + targets.map(t -> ", targets=" + t).orElse("")
                + connectionBudget.map(b -> ", connection_budget=" + b).orElse("")
                + serverWide.map(w -> ", server_wide=" + w.spelling()).orElse("")
                + (discovery.databases() ? ", discovery=" + discovery : "") + "]";
    }
}
