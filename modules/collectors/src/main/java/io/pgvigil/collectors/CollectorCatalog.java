package io.pgvigil.collectors;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The collectors pgvigil knows, by name, with upstream's default states. */
public final class CollectorCatalog {
    private static final List<Collector> ALL = java.util.stream.Stream.of(
                    List.of(DatabaseCollector.COLLECTOR,
                            LocksCollector.COLLECTOR,
                            SettingsCollector.COLLECTOR,
                            StatActivityCollector.COLLECTOR,
                            StatDatabaseCollector.COLLECTOR),
                    ReplicationCollectors.ALL,
                    ActivityCollectors.ALL,
                    TableCollectors.ALL)
            .flatMap(List::stream)
            .toList();

    private static final Map<String, Collector> BY_NAME =
            ALL.stream().collect(Collectors.toMap(Collector::name, Function.identity()));

    private CollectorCatalog() {
    }

    /** @return collector name to whether it is enabled by default, sorted by name */
    public static SortedMap<String, Boolean> defaults() {
        SortedMap<String, Boolean> out = new TreeMap<>();
        ALL.forEach(c -> out.put(c.name(), c.enabledByDefault()));
        return Collections.unmodifiableSortedMap(out);
    }

    /** @return the names of the collectors that run when no flag says otherwise */
    public static Set<String> enabledByDefault() {
        Set<String> out = new LinkedHashSet<>();
        defaults().forEach((name, on) -> {
            if (on) {
                out.add(name);
            }
        });
        return Collections.unmodifiableSet(out);
    }

    static List<Collector> select(Set<String> names) {
        for (String n : names) {
            if (!BY_NAME.containsKey(n)) {
                throw new IllegalArgumentException("unknown collector \"" + n + "\"");
            }
        }
        return ALL.stream().filter(c -> names.contains(c.name()))
                .sorted(java.util.Comparator.comparing(Collector::name)).toList();
    }
}
