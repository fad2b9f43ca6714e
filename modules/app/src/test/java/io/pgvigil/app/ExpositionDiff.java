package io.pgvigil.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The differences between two {@code /metrics} answers of exporters that should be drop-in replacements: per family,
 * presence, TYPE, HELP and the sets of label names; for the families named deterministic, the series themselves
 * (label names and values, not the sample values). One line per difference, sorted, so that a test can compare the
 * list with the differences it knows.
 */
final class ExpositionDiff {
    private ExpositionDiff() {
    }

    /** A family reduced to what is compared: type, help, label-name sets and series (labels as text). */
    private record Shape(String type, String help, Set<String> labelNames, Set<String> series) {
    }

    /**
     * @param reference     the reference exporter's answer
     * @param candidate     pgvigil's answer
     * @param compared      which family names are compared at all
     * @param deterministic which of them also have their series (label values) compared
     * @param normalise     applied to every reference family name's label map before comparing (e.g. to drop a label
     *                      that a later upstream version no longer has); returns the labels to keep
     * @return {@code ONLY-REFERENCE name}, {@code ONLY-PGVIGIL name}, {@code TYPE name: a | b},
     *         {@code HELP name: a | b}, {@code LABELS name: a | b}, {@code SERIES name: only reference [..] only pgvigil [..]}
     */
    static List<String> diff(String reference, String candidate, Predicate<String> compared, Predicate<String> deterministic,
                             Normaliser normalise) {
        // the reference's histograms are not checked: upstream writes a custom query's _count as the query gives it,
        // below the last bucket in Debian's pg_process_idle
        Map<String, Shape> ref = shapes(StrictExposition.parse(reference, false), compared, normalise);
        Map<String, Shape> ours = shapes(StrictExposition.parse(candidate), compared, (family, labels) -> labels);
        List<String> out = new ArrayList<>();
        Set<String> names = new TreeSet<>(ref.keySet());
        names.addAll(ours.keySet());
        for (String name : names) {
            Shape a = ref.get(name);
            Shape b = ours.get(name);
            if (b == null) {
                out.add("ONLY-REFERENCE " + name);
            } else if (a == null) {
                out.add("ONLY-PGVIGIL " + name);
            } else {
                if (!a.type().equals(b.type())) {
                    out.add("TYPE " + name + ": " + a.type() + " | " + b.type());
                }
                if (!a.help().equals(b.help())) {
                    out.add("HELP " + name + ": " + a.help() + " | " + b.help());
                }
                if (!a.labelNames().equals(b.labelNames())) {
                    out.add("LABELS " + name + ": " + a.labelNames() + " | " + b.labelNames());
                } else if (deterministic.test(name) && !a.series().equals(b.series())) {
                    out.add("SERIES " + name + ": only reference " + minus(a.series(), b.series())
                            + " only pgvigil " + minus(b.series(), a.series()));
                }
            }
        }
        return out;
    }

    /** Rewrites a reference series' labels before the comparison. */
    @FunctionalInterface
    interface Normaliser {
        Map<String, String> labels(String family, Map<String, String> labels);
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static Map<String, Shape> shapes(Map<String, StrictExposition.Family> families, Predicate<String> compared,
                                             Normaliser normalise) {
        Map<String, Shape> out = new TreeMap<>();
        for (StrictExposition.Family f : families.values()) {
            if (!compared.test(f.name())) {
                continue;
            }
            Set<String> labelNames = new TreeSet<>();
            Set<String> series = new TreeSet<>();
            for (StrictExposition.Sample s : f.samples()) {
                Map<String, String> labels = new TreeMap<>(normalise.labels(f.name(), s.labels()));
                labels.remove("le");
                labels.remove("quantile");
                labelNames.add(String.join(",", labels.keySet()));
                series.add(labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                                   .collect(Collectors.joining(",", "{", "}")));
            }
            out.put(f.name(), new Shape(f.type(), f.help() == null ? "" : f.help(), labelNames, series));
        }
        return out;
    }
}
