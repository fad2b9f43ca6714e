package io.pgvigil.config;

import io.pgvigil.dsn.DiscoveryOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * {@code discovery:} of an auth module: {@code databases} (boolean), {@code include} and {@code exclude} (lists of
 * full-match Java regular expressions) and {@code refresh} (a Go duration, at least {@value #MIN_REFRESH_SECONDS}
 * s). Each problem names the key and its line; patterns are not secrets and are quoted.
 */
final class DiscoveryMapper {
    static final List<String> KEYS = List.of("databases", "include", "exclude", "refresh");
    /** A shorter refresh would ask every server more often than Prometheus itself needs. */
    static final int MIN_REFRESH_SECONDS = 1;

    private final Problems problems;
    private final AuthModulesMapper mapper;

    DiscoveryMapper(Problems problems, AuthModulesMapper mapper) {
        this.problems = problems;
        this.mapper = mapper;
    }

    /**
     * @param node       the value of {@code discovery:}, absent or null for the default
     * @param path       the key path of {@code discovery}
     * @param hasTargets whether the module has {@code targets} (the servers whose databases are listed)
     * @param options    the module's options ({@code dbname} would replace every listed database)
     * @return the options; {@link DiscoveryOptions#SERVERS_ONLY} when absent, empty after a problem
     */
    Optional<DiscoveryOptions> map(Node node, String path, boolean hasTargets, Map<String, String> options) {
        if (node == null || YamlDocument.isNull(node)) {
            return Optional.of(DiscoveryOptions.SERVERS_ONLY);
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(path, "value must be a map (keys: " + String.join(", ", KEYS) + "), not "
                    + YamlDocument.kind(node) + " (" + YamlDocument.position(node.getStartMark()) + ")");
            return Optional.empty();
        }
        int before = problems.size();
        Map<String, Node> fields = mapper.fields(map, path, KEYS);
        boolean databases = databases(fields.get("databases"), Problems.child(path, "databases"));
        List<String> include = patterns(fields.get("include"), Problems.child(path, "include"));
        List<String> exclude = patterns(fields.get("exclude"), Problems.child(path, "exclude"));
        Duration refresh = refresh(fields.get("refresh"), Problems.child(path, "refresh"));
        if (databases && !hasTargets) {
            problems.add(path, "databases: true needs \"targets\" naming the servers whose databases are listed");
        }
        if (databases && options.containsKey("dbname")) {
            problems.add(path, "databases: true cannot be combined with options.dbname, which would replace the"
                    + " database of every listed target");
        }
        if (problems.size() != before) {
            return Optional.empty();
        }
        return Optional.of(new DiscoveryOptions(databases, include, exclude, refresh));
    }

    private boolean databases(Node node, String path) {
        if (node == null || YamlDocument.isNull(node)) {
            return false;
        }
        if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
            return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
        }
        problems.add(path, "value must be true or false, not " + YamlDocument.kind(node) + " ("
                + YamlDocument.position(node.getStartMark()) + ")");
        return false;
    }

    private List<String> patterns(Node node, String path) {
        if (node == null || YamlDocument.isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode list)) {
            problems.add(path, "value must be a list of regular expressions, not " + YamlDocument.kind(node)
                    + " (" + YamlDocument.position(node.getStartMark()) + ")");
            return List.of();
        }
        List<String> patterns = new ArrayList<>();
        List<Node> items = list.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String where = path + "[" + i + "]";
            if (!(item instanceof ScalarNode scalar) || YamlDocument.isNull(item)) {
                problems.add(where, "value must be a string, not " + YamlDocument.kind(item) + " ("
                        + YamlDocument.position(item.getStartMark()) + ")");
                continue;
            }
            try {
                DiscoveryOptions.compile(scalar.getValue());
                patterns.add(scalar.getValue());
            } catch (IllegalArgumentException e) {
                problems.add(where, Problems.quote(scalar.getValue()) + ": " + e.getMessage() + " ("
                        + YamlDocument.position(item.getStartMark()) + ")");
            }
        }
        return patterns;
    }

    private Duration refresh(Node node, String path) {
        if (node == null || YamlDocument.isNull(node)) {
            return DiscoveryOptions.DEFAULT_REFRESH;
        }
        String where = " (" + YamlDocument.position(node.getStartMark()) + ")";
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(path, "value must be a duration such as 30s or 2m, not " + YamlDocument.kind(node) + where);
            return DiscoveryOptions.DEFAULT_REFRESH;
        }
        Optional<Duration> refresh = WebConfigLoader.goDuration(scalar.getValue());
        if (refresh.isEmpty()) {
            problems.add(path, "invalid duration " + Problems.quote(scalar.getValue()) + " (e.g. 30s, 2m, 1m30s)" + where);
            return DiscoveryOptions.DEFAULT_REFRESH;
        }
        if (refresh.get().compareTo(Duration.ofSeconds(MIN_REFRESH_SECONDS)) < 0) {
            problems.add(path, "must be at least " + MIN_REFRESH_SECONDS + "s" + where);
            return DiscoveryOptions.DEFAULT_REFRESH;
        }
        return refresh.get();
    }
}
