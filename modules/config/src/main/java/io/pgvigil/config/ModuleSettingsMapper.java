package io.pgvigil.config;

import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ServerWide;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.util.Optional;

/**
 * The auth-module keys that are pgvigil's own settings, not credentials or connection parameters:
 * {@code connection_budget} and {@code server_wide}. Each problem names the key and the line; the values are no secrets.
 */
final class ModuleSettingsMapper {
    private final Problems problems;

    ModuleSettingsMapper(Problems problems) {
        this.problems = problems;
    }

    /** {@code connection_budget:}, like {@code --connection.server-budget}; absent or null is none (the flag applies). */
    Optional<ConnectionBudget> budget(Node node, String path) {
        if (node == null || YamlDocument.isNull(node)) {
            return Optional.empty();
        }
        String where = " (" + YamlDocument.position(node.getStartMark()) + ")";
        try {
            if (node instanceof ScalarNode) {
                return Optional.of(ConnectionBudget.parse(YamlDocument.text(node)));
            }
            problems.add(path, "value must be a share like 5% or a number like 3, not " + YamlDocument.kind(node)
                               + where);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage() + where);
        }
        return Optional.empty();
    }

    /**
     * {@code server_wide:}, where the module's probes put the server-wide families; absent is empty (the flag
     * decides). Anything but one of the spellings, null included, is a problem with its line (the value is no secret).
     */
    Optional<ServerWide> serverWide(Node node, String path) {
        if (node == null) {
            return Optional.empty();
        }
        boolean scalar = node instanceof ScalarNode && !YamlDocument.isNull(node);
        Optional<ServerWide> value = scalar ? ServerWide.parse(YamlDocument.text(node)) : Optional.empty();
        if (value.isEmpty()) {
            String given = scalar ? Problems.quote(YamlDocument.text(node)) : YamlDocument.kind(node);
            problems.add(path, "must be " + String.join(" or ", ServerWide.spellings()) + ", not " + given + " ("
                    + YamlDocument.position(node.getStartMark()) + ")");
        }
        return value;
    }
}
