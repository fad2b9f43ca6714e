package io.pgvigil.dsn;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A defensive scrubber for arbitrary text, such as driver exception messages, applied by logging as a
 * last line of defence. It masks URL userinfo passwords ({@code scheme://user:******@}), including
 * percent-encoded URLs, and {@code password=} / {@code sslpassword=} values in key=value strings, query
 * strings and JSON, quoted or not. It errs on the side of masking too much, and runs in linear time
 * without deep regex recursion, so any text can go through it.
 */
public final class Redaction {
    /** A key starts after a non-word character or after a percent-escape such as {@code %20}. */
    private static final String KEY_START = "(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2}))";
    /** {@code scheme://user:PASSWORD@}; the password runs to the last {@code @} of the token. */
    private static final Pattern URL_USERINFO = Pattern.compile(
            "(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}://[^\\s:/?#@'\"]{0,256}:)[^\\s'\"]{0,1024}@");
    /** The same inside a percent-encoded URL: {@code %3A%2F%2Fuser%3APASSWORD%40}. */
    private static final Pattern ENCODED_USERINFO = Pattern.compile(
            "(?i)(%3A%2F%2F[A-Za-z0-9._~!$'()*+,;=-]{0,256}%3A)[^\\s&\"']{0,1024}%40");
    /** The key part of {@code password=value}, {@code sslpassword = 'va lue'}, {@code PGPASSWORD="x"}. */
    private static final Pattern KEY_VALUE = Pattern.compile("(?i)" + KEY_START + "(?:ssl|pg)?password\\s*=\\s*");
    /** The key part of {@code "password": "value"} in JSON. */
    private static final Pattern JSON = Pattern.compile("(?i)\"(?:ssl|pg)?password\"\\s*:\\s*(?=\")");
    /** {@code password%3Dvalue} in a percent-encoded query. */
    private static final Pattern ENCODED_KEY_VALUE = Pattern.compile(
            "(?i)" + KEY_START + "((?:ssl|pg)?password%3D)[^\\s&]*?(?=%26|%20|&|\\s|$)");

    private Redaction() {
    }

    /**
     * Masks passwords in a text.
     *
     * @param text any text; {@code null} gives {@code "null"}
     * @return the text with every password it recognises replaced by {@code ******}
     */
    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        String out = URL_USERINFO.matcher(text).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + Secret.MASK + "@"));
        out = ENCODED_USERINFO.matcher(out).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + Secret.MASK + "%40"));
        out = maskValues(out, JSON, true);
        out = maskValues(out, KEY_VALUE, false);
        return ENCODED_KEY_VALUE.matcher(out).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + Secret.MASK));
    }

    /** Replaces the value after each match of {@code key}; values are scanned by hand, not by regex. */
    private static String maskValues(String text, Pattern key, boolean json) {
        Matcher m = key.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int from = 0;
        while (from <= text.length() && m.find(from)) {
            int start = m.end();
            int end = json ? quotedEnd(text, start, false) : valueEnd(text, start);
            out.append(text, copied, start).append(json ? "\"" + Secret.MASK + "\"" : Secret.MASK);
            copied = end;
            from = Math.max(end, start + 1);
        }
        return out.append(text, Math.min(copied, text.length()), text.length()).toString();
    }

    /** End of a key=value or query value: quoted as libpq (or double-quoted), else up to whitespace or {@code &}. */
    private static int valueEnd(String text, int start) {
        if (start < text.length() && (text.charAt(start) == '\'' || text.charAt(start) == '"')) {
            return quotedEnd(text, start, text.charAt(start) == '\'');
        }
        int i = start;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '&') {
            i++;
        }
        return i;
    }

    /** End (exclusive) of the quoted string opening at {@code start}; the end of the text when unterminated. */
    private static int quotedEnd(String text, int start, boolean doubledQuoteEscapes) {
        char quote = text.charAt(start);
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (doubledQuoteEscapes && i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }
}
