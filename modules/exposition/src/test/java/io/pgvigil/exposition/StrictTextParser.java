package io.pgvigil.exposition;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: it reads a page into its data model (families
 * with type, help and samples) and refuses anything that either writer under test should never produce, so that
 * two pages compare by what they mean, not by how they spell numbers.
 *
 * <p>Refused: bytes that are not UTF-8, a last line without {@code \n}, empty lines, comments other than
 * {@code # HELP} and {@code # TYPE}, a family given twice or without samples, {@code # TYPE} not directly after
 * its {@code # HELP} (when there is one), samples before their {@code # TYPE} or of another family, a sample
 * name that does not fit the type ({@code _bucket} only in histograms, ...), a bucket without {@code le} or a
 * quantile without {@code quantile}, escapes other than {@code \\}, {@code \n} (and {@code \"} in label values),
 * duplicate label names, a trailing comma, timestamps, values that are not a float ({@code Infinity},
 * {@code 0x1p3}, {@code 1d}), and two samples with the same name and labels.
 *
 * <p>What it reads as the format defines it (this is meaning, not a normalisation): a value and the {@code le}
 * and {@code quantile} label values are floats ({@code 1} and {@code 1.0} are the same bound, as Prometheus reads
 * them), label order does not matter, and a family without {@code # HELP} has the empty help.
 */
final class StrictTextParser {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample's identity: its full name ({@code x_bucket}, ...) and its labels. */
    record SampleKey(String name, SortedMap<String, String> labels) {
    }

    /**
     * One metric family as read.
     *
     * @param samples every sample, by identity; values compare as {@link Double#equals} does ({@code NaN} equals
     *                {@code NaN}, {@code -0} differs from {@code 0})
     */
    record Family(String name, String type, String help, Map<SampleKey, Double> samples) {
    }

    /** A page that is not what a writer of the format may produce. */
    static final class MalformedPage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedPage(int line, String why) {
            super("line " + line + ": " + why);
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private String pendingHelpName;
    private String pendingHelp;
    private Family current;
    private int line;

    private StrictTextParser() {
    }

    /**
     * @param page the page, as sent
     * @return the families by name, in the page's order
     * @throws MalformedPage when the page breaks a rule above
     */
    static Map<String, Family> parse(byte[] page) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(page)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedPage(0, "not UTF-8: " + e);
        }
        StrictTextParser parser = new StrictTextParser();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new MalformedPage(0, "the last line does not end with a newline");
        }
        for (String l : text.isEmpty() ? new String[0] : text.substring(0, text.length() - 1).split("\n", -1)) {
            parser.line++;
            parser.line(l);
        }
        parser.closeFamily();
        if (parser.pendingHelpName != null) {
            throw new MalformedPage(parser.line, "# HELP without # TYPE");
        }
        return Collections.unmodifiableMap(parser.families);
    }

    private void line(String l) {
        if (l.isEmpty()) {
            throw new MalformedPage(line, "empty line");
        }
        if (l.startsWith("#")) {
            comment(l);
        } else {
            sample(l);
        }
    }

    private void comment(String l) {
        if (l.startsWith("# HELP ")) {
            int space = l.indexOf(' ', 7);
            if (space < 0) {
                throw new MalformedPage(line, "# HELP without a text");
            }
            String name = metricName(l.substring(7, space));
            if (pendingHelpName != null) {
                throw new MalformedPage(line, "two # HELP lines in a row");
            }
            closeFamily();
            pendingHelpName = name;
            pendingHelp = unescape(l.substring(space + 1), false);
        } else if (l.startsWith("# TYPE ")) {
            String[] parts = l.substring(7).split(" ", -1);
            if (parts.length != 2 || !TYPES.contains(parts[1])) {
                throw new MalformedPage(line, "bad # TYPE line: " + l);
            }
            String name = metricName(parts[0]);
            if (pendingHelpName != null && !pendingHelpName.equals(name)) {
                throw new MalformedPage(line, "# TYPE " + name + " after # HELP " + pendingHelpName);
            }
            closeFamily();
            if (families.containsKey(name)) {
                throw new MalformedPage(line, "family " + name + " given twice");
            }
            current = new Family(name, parts[1], pendingHelpName == null ? "" : pendingHelp, new LinkedHashMap<>());
            pendingHelpName = null;
        } else {
            throw new MalformedPage(line, "a comment that is neither # HELP nor # TYPE: " + l);
        }
    }

    private void closeFamily() {
        if (current != null) {
            if (current.samples().isEmpty()) {
                throw new MalformedPage(line, "family " + current.name() + " has no samples");
            }
            families.put(current.name(), new Family(current.name(), current.type(), current.help(),
                                                    Collections.unmodifiableMap(current.samples())));
            current = null;
        }
    }

    private void sample(String l) {
        if (current == null || pendingHelpName != null) {
            throw new MalformedPage(line, "a sample outside a family (before # TYPE)");
        }
        int at = 0;
        while (at < l.length() && l.charAt(at) != '{' && l.charAt(at) != ' ') {
            at++;
        }
        String name = metricName(l.substring(0, at));
        String suffix = suffixIn(current, name);
        TreeMap<String, String> labels = new TreeMap<>();
        if (at < l.length() && l.charAt(at) == '{') {
            at = labels(l, at + 1, labels);
        }
        if (at >= l.length() || l.charAt(at) != ' ') {
            throw new MalformedPage(line, "no single space before the value");
        }
        double value = value(l.substring(at + 1));
        String type = current.type();
        if (type.equals("histogram") || type.equals("summary")) {
            // le on exactly the buckets, quantile on exactly a summary's own samples; read as floats
            String wanted = suffix.equals("_bucket") ? "le" : suffix.isEmpty() ? "quantile" : null;
            for (String reserved : new String[] {"le", "quantile"}) {
                if (labels.containsKey(reserved) != reserved.equals(wanted)) {
                    throw new MalformedPage(line, (reserved.equals(wanted) ? "missing " : "unexpected ") + reserved + " in " + name);
                }
            }
            if (wanted != null) {
                labels.put(wanted, Double.toString(value(labels.get(wanted))));
            }
        }
        if (current.samples().put(new SampleKey(name, Collections.unmodifiableSortedMap(labels)), value) != null) {
            throw new MalformedPage(line, "duplicate sample " + name + labels);
        }
    }

    /** {@return the part of a sample name after its family's name, checked against the family's type} */
    private String suffixIn(Family family, String name) {
        if (name.equals(family.name())) {
            if (family.type().equals("histogram")) {
                throw new MalformedPage(line, "a histogram sample without _bucket, _sum or _count: " + name);
            }
            return "";
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.equals(family.name() + suffix)
                && (family.type().equals("histogram") || (family.type().equals("summary") && !suffix.equals("_bucket")))) {
                return suffix;
            }
        }
        throw new MalformedPage(line, "sample " + name + " does not belong to " + family.type() + " " + family.name());
    }

    /** Reads {@code name="value",...}} from {@code at} (just after the brace); {@return the index after the closing brace} */
    private int labels(String l, int at, Map<String, String> into) {
        while (true) {
            int eq = l.indexOf('=', at);
            if (eq < 0) {
                throw new MalformedPage(line, "a label without a value");
            }
            String name = l.substring(at, eq);
            if (!LABEL_NAME.matcher(name).matches()) {
                throw new MalformedPage(line, "bad label name: " + name);
            }
            if (eq + 1 >= l.length() || l.charAt(eq + 1) != '"') {
                throw new MalformedPage(line, "an unquoted label value");
            }
            StringBuilder raw = new StringBuilder();
            int i = eq + 2;
            for (; i < l.length() && l.charAt(i) != '"'; i++) {
                raw.append(l.charAt(i));
                if (l.charAt(i) == '\\' && i + 1 < l.length()) {
                    raw.append(l.charAt(++i));
                }
            }
            if (i >= l.length()) {
                throw new MalformedPage(line, "an unterminated label value");
            }
            if (into.put(name, unescape(raw.toString(), true)) != null) {
                throw new MalformedPage(line, "label " + name + " given twice");
            }
            at = i + 1;
            if (at < l.length() && l.charAt(at) == '}') {
                return at + 1;
            }
            if (at >= l.length() || l.charAt(at) != ',' || (at + 1 < l.length() && l.charAt(at + 1) == '}')) {
                throw new MalformedPage(line, "labels not separated by a single comma, or a trailing comma");
            }
            at++;
        }
    }

    private String unescape(String s, boolean quoted) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                if (quoted && c == '"') {
                    throw new MalformedPage(line, "an unescaped quote");
                }
                out.append(c);
                continue;
            }
            if (++i >= s.length()) {
                throw new MalformedPage(line, "a backslash at the end");
            }
            switch (s.charAt(i)) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case '"' -> {
                    if (!quoted) {
                        throw new MalformedPage(line, "\\\" is not an escape in # HELP");
                    }
                    out.append('"');
                }
                default -> throw new MalformedPage(line, "unknown escape \\" + s.charAt(i));
            }
        }
        return out.toString();
    }

    private String metricName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new MalformedPage(line, "bad metric name: " + name);
        }
        return name;
    }

    private double value(String v) {
        return switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!FLOAT.matcher(v).matches()) {
                    throw new MalformedPage(line, "not a float (or a timestamp follows): " + v);
                }
                yield Double.parseDouble(v);
            }
        };
    }
}
