package io.pgvigil.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} references in a config value from an {@link Environment}, as the upstream documentation's
 * Kubernetes example writes them ({@code password: ${DB_PASSWORD}}). {@code $${} is a literal {@code ${}; a
 * {@code $} not followed by <code>{</code> stays as it is. Problems name the variable, never a value.
 */
final class Expansion {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Expansion() {
    }

    /**
     * Expands a value, recording a problem under {@code path} for an unset variable or a malformed reference.
     *
     * @return the expanded value, empty when a problem was recorded
     */
    static Optional<String> expand(String value, String path, Environment environment, Problems problems) {
        if (value.indexOf('$') < 0) {
            return Optional.of(value);
        }
        StringBuilder out = new StringBuilder(value.length());
        boolean ok = true;
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '$' && value.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && value.startsWith("${", i)) {
                int end = value.indexOf('}', i + 2);
                String name = end < 0 ? "" : value.substring(i + 2, end);
                if (end < 0 || !NAME.matcher(name).matches()) {
                    problems.add(path, "malformed variable reference: write ${NAME} with a name of letters, digits and "
                            + "underscores, or $${ for a literal ${");
                    return Optional.empty();
                }
                Optional<String> found = environment.lookup(name);
                if (found.isEmpty()) {
                    problems.add(path, "environment variable " + Problems.quote(name) + " is not set");
                    ok = false;
                } else {
                    out.append(found.get());
                }
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }
}
