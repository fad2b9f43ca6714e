package io.pgvigil.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects error messages of the form {@code <file>: <key path>: <message>}; also formats keys for them. */
final class Problems {
    /** Longest key or value echoed into a message; longer ones are cut. */
    private static final int MAX_ECHO = 64;

    private final String file;
    private final List<String> messages = new ArrayList<>();

    Problems(Path file) {
        this.file = file.toString();
    }

    /**
     * Records a problem.
     *
     * @param path    the key path ({@code auth_modules.prod_db.type}), empty for the whole file
     * @param message what is wrong; must not contain a secret value
     */
    void add(String path, String message) {
        messages.add(format(path, message));
    }

    /** {@return a message in the form {@link #add} records, without recording it (for warnings)} */
    String format(String path, String message) {
        return path.isEmpty() ? file + ": " + message : file + ": " + path + ": " + message;
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    int size() {
        return messages.size();
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    /** {@return {@code path.key}, with the key quoted unless it is a plain word} */
    static String child(String path, String key) {
        String segment = key.matches("[A-Za-z0-9_-]+") ? key : quote(key);
        return path.isEmpty() ? segment : path + "." + segment;
    }

    /** {@return the text in double quotes, escaped, cut after {@value #MAX_ECHO} characters} */
    static String quote(String text) {
        return quote(text, MAX_ECHO);
    }

    /**
     * Quotes as Go's {@code strconv.Quote} does for printable text (also the logfmt quoting): {@code "} and
     * {@code \} escaped, {@code \n}, {@code \r}, {@code \t} and other control characters as escapes.
     *
     * @param text the text
     * @param max  characters shown; a longer text is cut and ends in {@code ...}
     * @return the text in double quotes
     */
    static String quote(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 5).append('"');
        int shown = Math.min(text.length(), max);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (shown < text.length()) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
