package io.pgvigil.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Maps the node tree of a custom-queries file to its namespaces, recording every problem with key path and line.
 * Values are read as upstream's {@code yaml.v2} reads them into its structs: strings as written, {@code master}
 * as a YAML 1.1 boolean, {@code cache_seconds} as an unsigned integer; a later duplicate key replaces an earlier.
 */
final class UserQueriesMapper {
    private static final String METRIC_NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";

    private final Problems problems;
    private final List<String> warnings = new ArrayList<>();

    UserQueriesMapper(Problems problems) {
        this.problems = problems;
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    List<UserQueriesFile.Namespace> map(Optional<Node> root) {
        if (root.isEmpty() || YamlDocument.isNull(root.get())) {
            return List.of();
        }
        if (!(root.get() instanceof MappingNode top)) {
            problems.add("", "the top level must be a map of metric namespaces " + at(root.get()));
            return List.of();
        }
        Map<String, UserQueriesFile.Namespace> namespaces = new LinkedHashMap<>();
        for (NodeTuple t : top.getValue()) {
            Optional<String> name = key(t, "");
            name.flatMap(n -> namespace(n, t)).ifPresent(ns -> {
                namespaces.remove(ns.name());
                namespaces.put(ns.name(), ns);
            });
        }
        return List.copyOf(namespaces.values());
    }

    private Optional<UserQueriesFile.Namespace> namespace(String name, NodeTuple tuple) {
        String path = Problems.child("", name);
        int line = tuple.getKeyNode().getStartMark().getLine() + 1;
        if (!name.matches(METRIC_NAME)) {
            problems.add(path, "not a valid metric name prefix (letters, digits, _ and :, not starting with a digit) " + at(tuple.getKeyNode()));
            return Optional.empty();
        }
        Node value = tuple.getValueNode();
        if (YamlDocument.isNull(value)) {
            return Optional.of(new UserQueriesFile.Namespace(name, "", false, 0, Optional.empty(), List.of(), line));
        }
        if (!(value instanceof MappingNode map)) {
            problems.add(path, "must be a map with query and metrics " + at(value));
            return Optional.empty();
        }
        Map<String, Node> fields = fields(map, path);
        int before = problems.size();
        String query = fields.containsKey("query") ? scalar(fields.get("query"), Problems.child(path, "query")).orElse("") : "";
        boolean master = fields.containsKey("master") && bool(fields.get("master"), Problems.child(path, "master"));
        long cache = fields.containsKey("cache_seconds") ? unsigned(fields.get("cache_seconds"), Problems.child(path, "cache_seconds")) : 0;
        Optional<VersionRange> range = Optional.empty();
        if (fields.containsKey("runonserver")) {
            String rangePath = Problems.child(path, "runonserver");
            Optional<String> text = scalar(fields.get("runonserver"), rangePath).map(String::strip);
            if (text.isPresent() && !text.get().isEmpty()) {
                try {
                    range = Optional.of(VersionRange.parse(text.get()));
                } catch (IllegalArgumentException e) {
                    problems.add(rangePath, e.getMessage() + " " + at(fields.get("runonserver")));
                }
            }
        }
        List<UserQueriesFile.Column> columns = fields.containsKey("metrics")
                ? columns(name, fields.get("metrics"), Problems.child(path, "metrics")) : List.of();
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new UserQueriesFile.Namespace(name, query, master, cache, range, columns, line));
    }

    private List<UserQueriesFile.Column> columns(String namespace, Node node, String path) {
        if (YamlDocument.isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode list)) {
            problems.add(path, "must be a list of one-key maps (- column: {usage: ..., description: ...}) " + at(node));
            return List.of();
        }
        Map<String, UserQueriesFile.Column> columns = new LinkedHashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            if (YamlDocument.isNull(item)) {
                continue;
            }
            if (!(item instanceof MappingNode itemMap)) {
                problems.add(itemPath, "must be a map of a column name to its usage and description " + at(item));
                continue;
            }
            for (NodeTuple t : itemMap.getValue()) {
                key(t, itemPath).flatMap(column -> column(namespace, column, t, itemPath)).ifPresent(c -> {
                    columns.remove(c.name());
                    columns.put(c.name(), c);
                });
            }
        }
        return List.copyOf(columns.values());
    }

    private Optional<UserQueriesFile.Column> column(String namespace, String name, NodeTuple tuple, String itemPath) {
        String path = Problems.child(itemPath, name);
        Node value = tuple.getValueNode();
        String usage = "";
        String description = "";
        if (!YamlDocument.isNull(value)) {
            if (!(value instanceof MappingNode map)) {
                problems.add(path, "must be a map with usage and description " + at(value));
                return Optional.empty();
            }
            Map<String, Node> fields = fields(map, path);
            usage = fields.containsKey("usage") ? scalar(fields.get("usage"), Problems.child(path, "usage")).orElse("") : "";
            description = fields.containsKey("description")
                    ? scalar(fields.get("description"), Problems.child(path, "description")).orElse("") : "";
        }
        if (!UserQueriesFile.Column.USAGES.contains(usage)) {
            warnings.add(problems.format(Problems.child(path, "usage"), "unknown usage " + Problems.quote(usage)
                    + " is DISCARD, as upstream " + at(value)));
            usage = "DISCARD";
        }
        String metric = namespace + "_" + name + (usage.equals("DURATION") ? "_milliseconds" : "");
        boolean isMetric = !usage.equals("DISCARD") && !usage.equals("LABEL");
        if (usage.equals("LABEL") && (!name.matches(LABEL_NAME) || name.startsWith("__") || name.equals("server"))) {
            problems.add(path, "not a valid label name (letters, digits and _, not starting with a digit or __, not \"server\") "
                    + at(tuple.getKeyNode()));
            return Optional.empty();
        }
        if (isMetric && !metric.matches(METRIC_NAME)) {
            problems.add(path, "gives the metric name " + Problems.quote(metric) + ", which is not valid " + at(tuple.getKeyNode()));
            return Optional.empty();
        }
        return Optional.of(new UserQueriesFile.Column(name, usage, description));
    }

    /** The entries of a map by key; a later duplicate replaces an earlier one (yaml.v2 into a struct). */
    private Map<String, Node> fields(MappingNode map, String path) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            key(t, path).ifPresent(k -> out.put(k, t.getValueNode()));
        }
        return out;
    }

    private Optional<String> key(NodeTuple t, String path) {
        if (t.getKeyNode() instanceof ScalarNode s && !YamlDocument.isNull(s)) {
            return Optional.of(s.getValue());
        }
        problems.add(path, "keys must be strings " + at(t.getKeyNode()));
        return Optional.empty();
    }

    private Optional<String> scalar(Node node, String path) {
        if (YamlDocument.isNull(node)) {
            return Optional.empty();
        }
        if (node instanceof ScalarNode s) {
            return Optional.of(s.getValue());
        }
        problems.add(path, "must be a string " + at(node));
        return Optional.empty();
    }

    private boolean bool(Node node, String path) {
        Optional<String> text = scalar(node, path);
        if (text.isEmpty()) {
            return false;
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "y" -> true;
            case "false", "no", "off", "n" -> false;
            default -> {
                problems.add(path, "must be true or false " + at(node));
                yield false;
            }
        };
    }

    private long unsigned(Node node, String path) {
        Optional<String> text = scalar(node, path);
        if (text.isEmpty()) {
            return 0;
        }
        String digits = text.get().replace("_", "");
        try {
            long v = digits.matches("\\+?[0-9]+") ? Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits) : -1;
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // too large: reported below
        }
        problems.add(path, "must be a whole number of seconds, 0 or more " + at(node));
        return 0;
    }

    private static String at(Node node) {
        return "(" + YamlDocument.position(node.getStartMark()) + ")";
    }
}
