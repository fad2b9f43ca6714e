package io.pgvigil.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server version range as upstream writes them ({@code runonserver} of a custom query): comparisons joined by
 * spaces (all must hold) and alternatives joined by {@code ||}, e.g. {@code ">=10.0.0 <13.0.0 || >=15.0.0"}.
 * Operators {@code =}, {@code ==}, {@code !=}, {@code !}, {@code >}, {@code >=}, {@code <}, {@code <=} (none means
 * {@code =}); a version has up to three numbers, and a missing one or {@code x} is a wildcard, so {@code <=13.x}
 * means "any 13 or older" and {@code =14} any 14. Immutable.
 */
public final class VersionRange {
    private static final Pattern COMPARISON = Pattern.compile("(==|=|!=|!|>=|<=|>|<)?\\s*v?((?:\\d+|[xX*])(?:\\.(?:\\d+|[xX*])){0,2})");

    private record Comparison(String op, int[] fixed) {
        boolean test(int[] version) {
            int cmp = 0;
            for (int i = 0; i < fixed.length && cmp == 0; i++) {
                cmp = Integer.compare(version[i], fixed[i]);
            }
            return switch (op) {
                case "!=", "!" -> cmp != 0;
                case ">" -> cmp > 0;
                case ">=" -> cmp >= 0;
                case "<" -> cmp < 0;
                case "<=" -> cmp <= 0;
                default -> cmp == 0;
            };
        }
    }

    private final String text;
    private final List<List<Comparison>> alternatives;

    private VersionRange(String text, List<List<Comparison>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /**
     * Parses a range.
     *
     * @param text the range, e.g. {@code ">=14.0.0"}
     * @return the range
     * @throws IllegalArgumentException when the text is not a range; the message names the part that is not
     */
    public static VersionRange parse(String text) {
        Objects.requireNonNull(text, "text");
        List<List<Comparison>> alternatives = new ArrayList<>();
        for (String alternative : text.split("\\|\\|", -1)) {
            List<Comparison> all = new ArrayList<>();
            Matcher m = COMPARISON.matcher(alternative.strip());
            int at = 0;
            String rest = alternative.strip();
            while (at < rest.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw new IllegalArgumentException("not a version range: " + Problems.quote(text)
                            + " (cannot read " + Problems.quote(rest.substring(at)) + ")");
                }
                all.add(comparison(m.group(1) == null ? "=" : m.group(1), m.group(2)));
                at = m.end();
                while (at < rest.length() && Character.isWhitespace(rest.charAt(at))) {
                    at++;
                }
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("not a version range: " + Problems.quote(text) + " (an empty alternative)");
            }
            alternatives.add(List.copyOf(all));
        }
        return new VersionRange(text, List.copyOf(alternatives));
    }

    private static Comparison comparison(String op, String version) {
        List<Integer> fixed = new ArrayList<>();
        for (String part : version.split("\\.")) {
            if (part.equalsIgnoreCase("x") || part.equals("*")) {
                break;
            }
            fixed.add(Integer.parseInt(part));
        }
        return new Comparison(op, fixed.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * @param version a server version as {@code major.minor.patch} (e.g. {@code 13.22.0}); missing parts are 0
     * @return whether the version is in the range
     * @throws IllegalArgumentException when {@code version} is not such a version
     */
    public boolean includes(String version) {
        String[] parts = version.split("\\.");
        int[] v = new int[3];
        try {
            for (int i = 0; i < Math.min(3, parts.length); i++) {
                v[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a version: " + Problems.quote(version));
        }
        return alternatives.stream().anyMatch(all -> all.stream().allMatch(c -> c.test(v)));
    }

    /** {@return the range as written} */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRange r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
