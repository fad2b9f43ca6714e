package io.pgvigil.collectors;

import java.util.List;

/**
 * Upstream's legacy auto-discovery on the telemetry path ({@code --auto-discover-databases}): besides the default
 * data source's own database, every other database of its server that accepts connections and is not a template
 * is scraped with the same credentials and parameters, unless {@code exclude} names it or a non-empty
 * {@code include} does not (exact names, as upstream compares them). The default data source's own database is
 * always scraped, whatever the lists say.
 *
 * @param enabled {@code --auto-discover-databases}
 * @param include {@code --include-databases}: when not empty, only these discovered databases
 * @param exclude {@code --exclude-databases}: never these discovered databases (the same list also filters the
 *                {@code database} collector, see {@link CollectorOptions#excludeDatabases()})
 */
public record AutoDiscovery(boolean enabled, List<String> include, List<String> exclude) {
    public AutoDiscovery {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** @return discovery switched off, as by default */
    public static AutoDiscovery off() {
        return new AutoDiscovery(false, List.of(), List.of());
    }

    /** @return whether a discovered database is scraped */
    boolean accepts(String database) {
        return !exclude.contains(database) && (include.isEmpty() || include.contains(database));
    }
}
