package io.pgvigil.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --constantLabels k=v,k2=v2}, read as upstream does: malformed pairs and empty keys or values are
 * skipped (and reported, so that the caller can log them).
 *
 * @param labels   the labels, in the order given
 * @param problems one message per skipped pair
 */
record ConstantLabels(Map<String, String> labels, List<String> problems) {

    static ConstantLabels parse(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new ConstantLabels(labels, problems);
        }
        for (String pair : text.split(",")) {
            String[] kv = pair.split("=", -1);
            if (kv.length != 2) {
                problems.add("wrong constant labels format \"" + pair.trim() + "\", should be \"key=value\"");
                continue;
            }
            String key = kv[0].trim();
            String value = kv[1].trim();
            if (key.isEmpty() || value.isEmpty()) {
                problems.add("empty key or value in constant label \"" + pair.trim() + "\", skipped");
                continue;
            }
            labels.put(key, value);
        }
        return new ConstantLabels(labels, problems);
    }
}
