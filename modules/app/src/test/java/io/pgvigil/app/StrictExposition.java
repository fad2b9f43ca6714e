package io.pgvigil.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, in the spirit of {@code promtool check metrics}: every
 * sample belongs to the family of the {@code # TYPE} line before it (with the suffixes its type allows), names and
 * label names are valid, label values are correctly escaped, no series appears twice, values parse as Go parses
 * them, families are not split, histogram buckets are cumulative and end in {@code +Inf} equal to {@code _count}.
 */
final class StrictExposition {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its full name, labels in order of appearance, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A family: name, type, help and its samples. */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private StrictExposition() {
    }

    /**
     * @return the families by name, in order
     * @throws IllegalArgumentException naming the line number for the first violation
     */
    static Map<String, Family> parse(String text) {
        return parse(text, true);
    }

    /**
     * @param histograms whether histogram buckets are checked too (false for another exporter's answer, which may
     *                   carry a histogram whose count is below its last bucket)
     * @return the families by name, in order
     * @throws IllegalArgumentException naming the line number for the first violation
     */
    static Map<String, Family> parse(String text, boolean histograms) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a newline");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new HashMap<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int no = i + 1;
            try {
                if (line.isEmpty()) {
                    throw new IllegalArgumentException("empty line");
                }
                if (line.startsWith("# HELP ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    name(parts[0]);
                    if (helps.put(parts[0], parts.length > 1 ? parts[1] : "") != null) {
                        throw new IllegalArgumentException("second HELP for " + parts[0]);
                    }
                    if (families.containsKey(parts[0])) {
                        throw new IllegalArgumentException("HELP for " + parts[0] + " after its TYPE");
                    }
                    continue;
                }
                if (line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ");
                    if (parts.length != 2 || !TYPES.contains(parts[1])) {
                        throw new IllegalArgumentException("malformed TYPE line");
                    }
                    name(parts[0]);
                    if (families.containsKey(parts[0])) {
                        throw new IllegalArgumentException("second TYPE for " + parts[0] + " (family split or repeated)");
                    }
                    current = new Family(parts[0], parts[1], helps.get(parts[0]), new ArrayList<>());
                    families.put(parts[0], current);
                    continue;
                }
                if (line.startsWith("#")) {
                    throw new IllegalArgumentException("comment that is neither HELP nor TYPE");
                }
                if (current == null) {
                    throw new IllegalArgumentException("sample before any TYPE line");
                }
                Sample s = sample(line);
                checkBelongs(current, s);
                String key = s.name() + new TreeMap<>(s.labels());
                if (!series.add(key)) {
                    throw new IllegalArgumentException("duplicate series " + key);
                }
                current.samples().add(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + no + ": " + e.getMessage() + ": " + line, e);
            }
        }
        for (Family f : families.values()) {
            if (f.samples().isEmpty()) {
                throw new IllegalArgumentException("family " + f.name() + " has no samples");
            }
            if (histograms && f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static void name(String n) {
        if (!METRIC_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("invalid metric name \"" + n + "\"");
        }
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("no value");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        String rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException("label without '='");
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException("invalid label name \"" + label + "\"");
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted");
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        v.append(switch (e) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new IllegalArgumentException("invalid escape \\" + e);
                        });
                    } else {
                        v.append(c);
                    }
                    j++;
                }
                if (labels.put(label, v.toString()) != null) {
                    throw new IllegalArgumentException("label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' after a label");
                }
            }
            if (line.charAt(i + 1) != ' ') {
                throw new IllegalArgumentException("expected a space after the labels");
            }
            rest = line.substring(i + 2);
        } else {
            name = line.substring(0, space);
            rest = line.substring(space + 1);
        }
        name(name);
        String[] valueAndTime = rest.split(" ", -1);
        if (valueAndTime.length > 2) {
            throw new IllegalArgumentException("extra fields after the value");
        }
        if (valueAndTime.length == 2 && !valueAndTime[1].matches("-?\\d+")) {
            throw new IllegalArgumentException("invalid timestamp");
        }
        return new Sample(name, labels, value(valueAndTime[0]));
    }

    static double value(String v) {
        return switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!NUMBER.matcher(v).matches()) {
                    throw new IllegalArgumentException("invalid value \"" + v + "\"");
                }
                yield Double.parseDouble(v);
            }
        };
    }

    private static void checkBelongs(Family f, Sample s) {
        String n = f.name();
        boolean ok = switch (f.type()) {
            case "histogram" -> s.name().equals(n + "_bucket") ? s.labels().containsKey("le")
                                                               : s.name().equals(n + "_sum") || s.name().equals(n + "_count");
            case "summary" -> s.name().equals(n) ? s.labels().containsKey("quantile")
                                                 : s.name().equals(n + "_sum") || s.name().equals(n + "_count");
            default -> s.name().equals(n);
        };
        if (!ok) {
            throw new IllegalArgumentException("sample " + s.name() + " does not belong to the " + f.type() + " family " + n);
        }
        if (f.type().equals("counter") && s.value() < 0) {
            throw new IllegalArgumentException("negative counter");
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> base = new TreeMap<>(s.labels());
            base.remove("le");
            if (s.name().endsWith("_bucket")) {
                buckets.computeIfAbsent(base, k -> new ArrayList<>()).add(s);
            } else if (s.name().endsWith("_count")) {
                counts.put(base, s.value());
            }
        }
        buckets.forEach((labels, list) -> {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previous = 0;
            for (Sample b : list) {
                double le = value(b.labels().get("le"));
                if (le <= previousLe || b.value() < previous) {
                    throw new IllegalArgumentException("histogram " + f.name() + labels + ": buckets not increasing");
                }
                previousLe = le;
                previous = b.value();
            }
            if (previousLe != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("histogram " + f.name() + labels + ": no +Inf bucket");
            }
            if (!Double.valueOf(previous).equals(counts.get(labels))) {
                throw new IllegalArgumentException("histogram " + f.name() + labels + ": +Inf bucket differs from _count");
            }
        });
    }
}
