package io.pgvigil.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The JSON of Prometheus' {@code http_sd_configs}: a list of target groups, each with its {@code targets} (the
 * exporter's address) and {@code labels}, written by hand (one small shape, no JSON library in the image).
 */
final class SdTargets {
    /** A host name, a dotted IPv4 address or a bracketed IPv6 address, then an optional port. */
    private static final Pattern ADDRESS = Pattern.compile(
            "(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}])(?::([0-9]{1,5}))?");

    private SdTargets() {
    }

    /**
     * One target group.
     *
     * @param target the exporter's address that Prometheus scrapes
     * @param labels the group's labels, in order
     */
    record Group(String target, Map<String, String> labels) {
    }

    /**
     * Checks an exporter address from the {@code Host} header or the {@code address} parameter: a host name, an
     * IPv4 address or a bracketed IPv6 address, with a port from 1 to 65535 ({@code portRequired}) or without.
     *
     * @return the address as given, empty when it is not one
     */
    static Optional<String> address(String text, boolean portRequired) {
        var m = ADDRESS.matcher(text);
        if (!m.matches() || text.contains("..")) {
            return Optional.empty();
        }
        String port = m.group(1);
        if (port == null) {
            return portRequired ? Optional.empty() : Optional.of(text);
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535 ? Optional.of(text) : Optional.empty();
    }

    static String json(List<Group> groups) {
        StringBuilder out = new StringBuilder(64 + groups.size() * 160).append('[');
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            out.append(i == 0 ? "" : ",").append("{\"targets\":[");
            string(out, g.target());
            out.append("],\"labels\":{");
            boolean first = true;
            for (Map.Entry<String, String> label : g.labels().entrySet()) {
                out.append(first ? "" : ",");
                string(out, label.getKey());
                out.append(':');
                string(out, label.getValue());
                first = false;
            }
            out.append("}}");
        }
        return out.append("]\n").toString();
    }

    /** A JSON string: quotes, backslashes and control characters escaped; the rest (UTF-8) as is. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
