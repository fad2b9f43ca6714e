package io.pgvigil.collectors;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Reads result values the way upstream's legacy mapping reads what lib/pq returns: numbers, booleans (1/0) and
 * timestamps (Unix seconds) as they are, NULL as NaN, anything else as text parsed like Go's
 * {@code strconv.ParseFloat}; label values as Go prints them ({@code %v}). Also Go's {@code time.ParseDuration}
 * and the text form of PostgreSQL arrays, for DURATION and HISTOGRAM columns. Stateless.
 */
final class UserQueryValues {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern HEX = Pattern.compile("[+-]?0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");

    private UserQueryValues() {
    }

    /** @param typeName the column's PostgreSQL type name
     * @return the value as a number, or empty when upstream could not convert it (the sample is then left out) */
    static OptionalDouble number(ResultSet rs, int column, String typeName) throws SQLException {
        Object o = rs.getObject(column);
        if (o == null) {
            return OptionalDouble.of(Double.NaN);
        }
        return switch (o) {
            case Boolean b -> OptionalDouble.of(b ? 1 : 0);
            case Number n -> OptionalDouble.of(n.doubleValue());
            default -> {
                OptionalDouble seconds = epochSeconds(rs, column, typeName);
                yield seconds.isPresent() ? seconds : parseFloat(rs.getString(column));
            }
        };
    }

    /** @return the value as a label value, as Go's {@code %v} prints what lib/pq returns; NULL is empty */
    static String label(ResultSet rs, int column, String typeName) throws SQLException {
        Object o = rs.getObject(column);
        if (o == null) {
            return "";
        }
        return switch (o) {
            case Boolean b -> b ? "true" : "false";
            case Double d -> goFloat(d);
            case Float f -> goFloat(f.doubleValue());
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Short s -> s.toString();
            default -> {
                OptionalDouble seconds = epochSeconds(rs, column, typeName);
                yield seconds.isPresent() ? Long.toString((long) seconds.getAsDouble()) : rs.getString(column);
            }
        };
    }

    /** lib/pq reads {@code timestamp} and {@code date} as UTC, {@code timestamptz} with its offset. */
    private static OptionalDouble epochSeconds(ResultSet rs, int column, String typeName) throws SQLException {
        return switch (typeName) {
            case "timestamp" -> OptionalDouble.of(rs.getObject(column, LocalDateTime.class).toEpochSecond(ZoneOffset.UTC));
            case "timestamptz" -> OptionalDouble.of(rs.getObject(column, OffsetDateTime.class).toEpochSecond());
            case "date" -> OptionalDouble.of(rs.getObject(column, LocalDate.class).toEpochSecond(LocalTime.MIDNIGHT, ZoneOffset.UTC));
            default -> OptionalDouble.empty();
        };
    }

    /** Go's {@code strconv.ParseFloat(s, 64)}: decimal or hex notation, {@code inf}, {@code infinity}, {@code nan}. */
    static OptionalDouble parseFloat(String s) {
        if (s == null) {
            return OptionalDouble.empty();
        }
        String lower = s.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return OptionalDouble.of(lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (unsigned.equals("nan") && unsigned.length() == lower.length()) {
            return OptionalDouble.of(Double.NaN);
        }
        if (!DECIMAL.matcher(s).matches() && !HEX.matcher(s).matches()) {
            return OptionalDouble.empty();
        }
        double v = Double.parseDouble(s);
        // Go reports a range error (and pgvigil then drops the value, as upstream) where Java gives infinity.
        return Double.isInfinite(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Go's {@code %v} of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on ({@code 1e+06}). */
    static String goFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = b.unscaledValue().abs().toString();
        int exp = digits.length() - b.scale() - 1;
        String sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 6) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = Integer.toString(Math.abs(exp));
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        return sign + b.abs().toPlainString();
    }

    /**
     * Go's {@code time.ParseDuration} in whole milliseconds, truncated, as upstream's DURATION conversion.
     *
     * @return empty when the text is not a Go duration
     */
    static OptionalDouble durationMillis(String s) {
        if (s.equals("0") || s.equals("+0") || s.equals("-0")) {
            return OptionalDouble.of(0);
        }
        boolean negative = s.startsWith("-");
        String rest = negative || s.startsWith("+") ? s.substring(1) : s;
        if (rest.isEmpty()) {
            return OptionalDouble.empty();
        }
        BigDecimal nanos = BigDecimal.ZERO;
        var m = DURATION_PART.matcher(rest);
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                return OptionalDouble.empty();
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 1_000L;
            };
            nanos = nanos.add(new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1)).multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return OptionalDouble.empty();
        }
        long n = nanos.longValue();
        return OptionalDouble.of((negative ? -n : n) / 1_000_000L);
    }

    /**
     * The elements of a one-dimensional PostgreSQL array in text form ({@code {1,2.5,NULL}}); NULL is an empty
     * list, as lib/pq's array scanner gives.
     *
     * @throws IllegalArgumentException when the text is not such an array or an element is NULL
     */
    static List<String> arrayElements(String text) {
        if (text == null) {
            return List.of();
        }
        String t = text.strip();
        if (t.startsWith("[")) {
            int eq = t.indexOf('=');
            t = eq < 0 ? t : t.substring(eq + 1);
        }
        if (!t.startsWith("{") || !t.endsWith("}") || t.indexOf('{', 1) >= 0) {
            throw new IllegalArgumentException("not a one-dimensional array");
        }
        String inner = t.substring(1, t.length() - 1).strip();
        List<String> out = new ArrayList<>();
        if (inner.isEmpty()) {
            return out;
        }
        for (String e : inner.split(",", -1)) {
            String v = e.strip();
            if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                v = v.substring(1, v.length() - 1);
            } else if (v.equalsIgnoreCase("NULL")) {
                throw new IllegalArgumentException("an array element is NULL");
            }
            out.add(v);
        }
        return out;
    }
}
