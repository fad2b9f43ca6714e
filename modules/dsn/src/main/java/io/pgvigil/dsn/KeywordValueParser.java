package io.pgvigil.dsn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a libpq keyword/value string ({@code host=db1 port=5433 password='it''s'}) into its pairs.
 *
 * <p>libpq rules: pairs are separated by whitespace; whitespace around {@code =} is allowed; a value is
 * either unquoted (up to the next whitespace) or in single quotes; a backslash takes the next character
 * literally in both. Two extensions, which turn libpq errors into the obvious meaning and never change a
 * string libpq accepts: {@code ''} inside single quotes is a quote, and double quotes quote too (as
 * upstream's parser allows). A closing quote must be followed by whitespace or the end. A key given twice
 * is an error, not "last wins".
 *
 * <p>Error messages name the previous key at most, never a value: with an unquoted password containing a
 * space, the text after the space would otherwise be echoed as a "key".
 */
final class KeywordValueParser {
    private final String text;
    private int pos;
    private String previousKey = "";
    private boolean previousWasBareSecret;

    private KeywordValueParser(String text) {
        this.text = text;
    }

    /**
     * @return the pairs in order of appearance
     * @throws TargetException when the string is malformed or repeats a key
     */
    static Map<String, String> parse(String text) {
        return new KeywordValueParser(text).pairs();
    }

    private Map<String, String> pairs() {
        Map<String, String> pairs = new LinkedHashMap<>();
        skipWhitespace();
        while (pos < text.length()) {
            String key = key();
            if (pairs.containsKey(key)) {
                throw TargetException.invalid("parameter \"" + key + "\" is given more than once");
            }
            boolean quoted = pos < text.length() && isQuote(text.charAt(pos));
            String value = quoted ? quotedValue(key) : bareValue();
            pairs.put(key, value);
            previousKey = key;
            previousWasBareSecret = !quoted && LibpqParameter.isSecret(key);
            skipWhitespace();
        }
        return pairs;
    }

    /** Reads a key, the {@code =} and the whitespace after it. */
    private String key() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != '=' && !isWhitespace(text.charAt(pos))) {
            pos++;
        }
        String key = text.substring(start, pos);
        skipWhitespace();
        if (pos >= text.length() || text.charAt(pos) != '=') {
            throw TargetException.invalid("missing \"=\" " + where()
                                          + (previousKey.isEmpty() ? "" : " (quote values that contain spaces)"));
        }
        pos++;
        skipWhitespace();
        if (key.isEmpty()) {
            throw TargetException.invalid("missing parameter name before \"=\" " + where());
        }
        boolean known = LibpqParameter.STRUCTURAL.contains(key) || LibpqParameter.byKey(key).isPresent();
        if (!known && (previousWasBareSecret || !LibpqParameter.printable(key))) {
            throw TargetException.invalid("unsupported connection parameter " + where()
                                          + (previousWasBareSecret ? " (quote values that contain spaces)" : ""));
        }
        return key;
    }

    private String where() {
        return previousKey.isEmpty()
                ? "in key=value string"
                : "in key=value string after parameter \"" + previousKey + "\"";
    }

    private String bareValue() {
        StringBuilder value = new StringBuilder();
        while (pos < text.length() && !isWhitespace(text.charAt(pos))) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        return value.toString();
    }

    private String quotedValue(String key) {
        char quote = text.charAt(pos++);
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw TargetException.invalid("unterminated quote in key=value string (value of parameter \""
                                              + key + "\")");
            }
            char c = text.charAt(pos++);
            if (c == '\\') {
                if (pos < text.length()) {
                    value.append(text.charAt(pos++));
                }
            } else if (c == quote) {
                if (pos < text.length() && text.charAt(pos) == quote) {
                    value.append(quote);
                    pos++;
                } else {
                    break;
                }
            } else {
                value.append(c);
            }
        }
        if (pos < text.length() && !isWhitespace(text.charAt(pos))) {
            throw TargetException.invalid("missing whitespace after the quoted value of parameter \"" + key + "\"");
        }
        return value.toString();
    }

    private void skipWhitespace() {
        while (pos < text.length() && isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"';
    }

    /** C {@code isspace} in the C locale, as libpq uses. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    /** Splits a libpq comma list ({@code host=a,b}); empty items stay empty. */
    static List<String> commaList(String value) {
        return List.of(value.split(",", -1));
    }
}
