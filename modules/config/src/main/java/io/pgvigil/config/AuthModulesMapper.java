package io.pgvigil.config;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.TargetException;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.DiscoveryOptions;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.ServerWide;
import io.pgvigil.dsn.TargetAllowList;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import static io.pgvigil.config.YamlDocument.isNull;
import static io.pgvigil.config.YamlDocument.kind;
import static io.pgvigil.config.YamlDocument.text;

/**
 * Maps the node tree of the config file to an {@link AuthConfig}, recording every problem rather than
 * stopping at the first. Strict like upstream ({@code yaml.v3} with {@code KnownFields(true)}): unknown and
 * duplicate keys are errors. Scalars are taken as written, so {@code connect_timeout: 10} is {@code "10"}
 * and a null value ({@code key:} or {@code ~}) is {@code ""}. {@code ${VAR}} in {@code userpass} fields and option
 * values is expanded from the {@link Environment} ({@link Expansion}). No message ever contains a value other than
 * the module {@code type}, a short {@code connection_budget} and the file names of a {@code cert} section.
 */
final class AuthModulesMapper {
    static final String AUTH_MODULES = "auth_modules";
    static final List<String> TOP_KEYS = List.of(AUTH_MODULES);
    static final List<String> MODULE_KEYS = List.of("type", "userpass", "options", "targets", "cert", "connection_budget",
                                                    "server_wide", "discovery");
    static final List<String> USERPASS_KEYS = List.of("username", "password", "username_file", "password_file");
    static final List<String> TYPES = List.of("userpass", "cert");
    static final List<String> CERT_KEYS = List.of("username", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslmode");
    /** The options a {@code cert} module sets in its {@code cert} section, never in {@code options}. */
    static final List<String> CERT_OPTIONS = List.of("sslcert", "sslkey", "sslpassword", "sslrootcert", "sslmode");

    private final Problems problems;
    private final Environment environment;

    AuthModulesMapper(Problems problems) {
        this(problems, Environment.system());
    }

    /** A mapper that expands {@code ${VAR}} in {@code userpass} fields and option values from {@code environment}. */
    AuthModulesMapper(Problems problems, Environment environment) {
        this.problems = problems;
        this.environment = environment;
    }

    /**
     * Maps a parsed file.
     *
     * @param root the document's root node, empty if the file holds no document
     * @return the modules; meaningful only if no problem was recorded
     */
    AuthConfig map(Optional<Node> root) {
        if (root.isEmpty() || isNull(root.get())) {
            problems.add("", "file is empty (expected a map with the key \"auth_modules\")");
            return AuthConfig.empty();
        }
        if (!(root.get() instanceof MappingNode top)) {
            problems.add("", "the top level must be a map with the key \"auth_modules\", not " + kind(root.get()));
            return AuthConfig.empty();
        }
        Map<String, Node> fields = fields(top, "", TOP_KEYS);
        Node modulesNode = fields.get(AUTH_MODULES);
        if (modulesNode == null || isNull(modulesNode)) {
            return AuthConfig.empty();
        }
        if (!(modulesNode instanceof MappingNode modulesMap)) {
            problems.add(AUTH_MODULES, "value must be a map of module names to modules, not " + kind(modulesNode));
            return AuthConfig.empty();
        }
        Map<String, AuthModule> modules = new TreeMap<>();
        entries(modulesMap, AUTH_MODULES).forEach((name, tuple) -> {
            if (name.isEmpty()) {
                problems.add(AUTH_MODULES, "module name must not be empty ("
                        + YamlDocument.position(tuple.getKeyNode().getStartMark()) + ")");
            } else {
                module(name, tuple.getValueNode()).ifPresent(module -> modules.put(name, module));
            }
        });
        return new AuthConfig(modules);
    }

    private Optional<AuthModule> module(String name, Node node) {
        String path = Problems.child(AUTH_MODULES, name);
        Map<String, Node> fields;
        if (isNull(node)) {
            fields = Map.of();
        } else if (node instanceof MappingNode map) {
            fields = fields(map, path, MODULE_KEYS);
        } else {
            problems.add(path, "value must be a map, not " + kind(node));
            return Optional.empty();
        }
        int before = problems.size();

        Optional<String> type = type(fields.get("type"), path);
        Optional<Credentials> credentials = Optional.empty();
        Node userpass = fields.get("userpass");
        if (userpass != null && !isNull(userpass)) {
            credentials = userPass(userpass, Problems.child(path, "userpass"));
        } else if (type.filter("userpass"::equals).isPresent()) {
            problems.add(path, "\"userpass\" is required when type is userpass");
        }
        Map<String, String> options = options(fields.get("options"), Problems.child(path, "options"));
        credentials = certSection(fields, type, path, options, credentials);
        Optional<TargetAllowList> targets = targets(fields.get("targets"), Problems.child(path, "targets"));
        ModuleSettingsMapper settings = new ModuleSettingsMapper(problems);
        Optional<ConnectionBudget> budget = settings.budget(fields.get("connection_budget"), Problems.child(path, "connection_budget"));
        Optional<ServerWide> serverWide = settings.serverWide(fields.get("server_wide"), Problems.child(path, "server_wide"));
        Optional<DiscoveryOptions> discovery = new DiscoveryMapper(problems, this)
                .map(fields.get("discovery"), Problems.child(path, "discovery"), targets.isPresent(), options);

        if (problems.size() != before || type.isEmpty() || credentials.isEmpty() || discovery.isEmpty()) {
            return Optional.empty();
        }
        AuthModule module = new AuthModule(name, credentials.get(), options, targets, budget, serverWide, discovery.get());
        // Check the options with the same rules a probe applies, so that a typo fails at load time
        // instead of turning every probe that uses the module into a 400.
        try {
            ConnectionSpec.parse("localhost").withAuthModule(module);
        } catch (TargetException e) {
            problems.add(Problems.child(path, "options"), e.getMessage());
            return Optional.empty();
        }
        return Optional.of(module);
    }

    private Optional<String> type(Node node, String modulePath) {
        if (node == null || isNull(node) || (node instanceof ScalarNode s && s.getValue().isEmpty())) {
            problems.add(modulePath, "\"type\" is required");
            return Optional.empty();
        }
        String path = Problems.child(modulePath, "type");
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(path, "value must be a string, not " + kind(node));
            return Optional.empty();
        }
        if (!TYPES.contains(scalar.getValue())) {
            problems.add(path, "unsupported type " + Problems.quote(scalar.getValue()) + " (supported: "
                    + String.join(", ", TYPES) + ")");
            return Optional.empty();
        }
        return Optional.of(scalar.getValue());
    }

    private Optional<Credentials> userPass(Node node, String path) {
        if (!(node instanceof MappingNode map)) {
            problems.add(path, "value must be a map, not " + kind(node));
            return Optional.empty();
        }
        Map<String, Node> fields = fields(map, path, USERPASS_KEYS);
        if (fields.containsKey("username_file") || fields.containsKey("password_file")) {
            return userPassWithFiles(fields, path);
        }
        Optional<String> username = requiredString(fields.get("username"), Problems.child(path, "username"));
        Optional<String> password = requiredString(fields.get("password"), Problems.child(path, "password"));
        if (username.isEmpty() || password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Credentials.UserPass(username.get(), Secret.guarded(password.get())));
    }

    /** {@code userpass} where the user name, the password or both are read from files for every new connection. */
    private Optional<Credentials> userPassWithFiles(Map<String, Node> fields, String path) {
        Optional<Optional<String>> username = exclusive(fields, path, "username");
        Optional<Optional<String>> password = exclusive(fields, path, "password");
        if (username.isEmpty() || password.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> usernameFile = fileField(fields, path, "username_file");
        Optional<Path> passwordFile = fileField(fields, path, "password_file");
        if (usernameFile.isEmpty() && fields.containsKey("username_file")
            || passwordFile.isEmpty() && fields.containsKey("password_file")) {
            return Optional.empty();
        }
        return Optional.of(new Credentials.UserPass(username.get().orElse(""), Secret.guarded(password.get().orElse("")),
                                                    usernameFile, passwordFile));
    }

    /**
     * The value of {@code key} when {@code key_file} is absent, nothing when it is present; a problem (and empty) when
     * both or neither are given.
     */
    private Optional<Optional<String>> exclusive(Map<String, Node> fields, String path, String key) {
        boolean inline = fields.containsKey(key);
        boolean file = fields.containsKey(key + "_file");
        if (inline && file) {
            problems.add(path, "\"" + key + "\" and \"" + key + "_file\" are exclusive");
            return Optional.empty();
        }
        if (file) {
            return Optional.of(Optional.empty());
        }
        return requiredString(fields.get(key), Problems.child(path, key)).map(Optional::of);
    }

    private Optional<Path> fileField(Map<String, Node> fields, String path, String key) {
        if (!fields.containsKey(key)) {
            return Optional.empty();
        }
        String where = Problems.child(path, key);
        return requiredString(fields.get(key), where).flatMap(value -> {
            try {
                return Optional.of(Path.of(value));
            } catch (InvalidPathException e) {
                problems.add(where, "is not a valid file path");
                return Optional.empty();
            }
        });
    }

    /**
     * The {@code cert} section: required for (and only allowed with) {@code type: cert}, which must not also have
     * {@code userpass} nor set the certificate's parameters in {@code options}.
     */
    private Optional<Credentials> certSection(Map<String, Node> fields, Optional<String> type, String path,
                                              Map<String, String> options, Optional<Credentials> credentials) {
        Node cert = fields.get("cert");
        boolean isCert = type.filter("cert"::equals).isPresent();
        boolean present = cert != null && !isNull(cert);
        if (!isCert) {
            if (present) {
                problems.add(Problems.child(path, "cert"), "only allowed with type cert (a userpass module takes a"
                        + " client certificate in options: sslcert, sslkey, sslpassword)");
            }
            return credentials;
        }
        if (fields.containsKey("userpass")) {
            problems.add(Problems.child(path, "userpass"), "not allowed with type cert");
        }
        options.keySet().stream().filter(CERT_OPTIONS::contains).forEach(key -> problems.add(
                Problems.child(Problems.child(path, "options"), key), "belongs in the cert section with type cert"));
        if (!present) {
            problems.add(path, "\"cert\" is required when type is cert");
            return Optional.empty();
        }
        return cert(cert, Problems.child(path, "cert"));
    }

    private Optional<Credentials> cert(Node node, String path) {
        if (!(node instanceof MappingNode map)) {
            problems.add(path, "value must be a map, not " + kind(node));
            return Optional.empty();
        }
        Map<String, Node> fields = fields(map, path, CERT_KEYS);
        Optional<String> username = requiredString(fields.get("username"), Problems.child(path, "username"));
        Optional<String> sslcert = readableFile(fields.get("sslcert"), Problems.child(path, "sslcert"));
        Optional<String> sslkey = readableFile(fields.get("sslkey"), Problems.child(path, "sslkey"));
        Optional<String> sslrootcert = fields.get("sslrootcert") instanceof ScalarNode s && "system".equals(text(s))
                ? Optional.of("system") : readableFile(fields.get("sslrootcert"), Problems.child(path, "sslrootcert"));
        Optional<Secret> sslpassword = Optional.empty();
        if (fields.containsKey("sslpassword")) {
            sslpassword = requiredString(fields.get("sslpassword"), Problems.child(path, "sslpassword")).map(Secret::of);
        }
        String sslmode = "verify-full";
        if (fields.containsKey("sslmode")) {
            sslmode = requiredString(fields.get("sslmode"), Problems.child(path, "sslmode")).orElse("");
            if (!sslmode.isEmpty() && !Credentials.Cert.SSLMODES.contains(sslmode)) {
                problems.add(Problems.child(path, "sslmode"), "must be verify-ca or verify-full (default): a cert"
                        + " module always verifies the server certificate");
                return Optional.empty();
            }
        }
        if (username.isEmpty() || sslcert.isEmpty() || sslkey.isEmpty() || sslrootcert.isEmpty() || sslmode.isEmpty()
                || (fields.containsKey("sslpassword") && sslpassword.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new Credentials.Cert(username.get(), sslcert.get(), sslkey.get(), sslpassword,
                sslrootcert.get(), sslmode));
    }

    /**
     * A non-empty file name of a readable regular file. Its contents are read at every new connection, not here;
     * a message names the path, never contents.
     */
    private Optional<String> readableFile(Node node, String path) {
        Optional<String> name = requiredString(node, path);
        if (name.isPresent()) {
            java.nio.file.Path file = java.nio.file.Path.of(name.get());
            if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
                problems.add(path, "file " + Problems.quote(name.get()) + " does not exist or cannot be read");
                return Optional.empty();
            }
        }
        return name;
    }

    /** A non-empty scalar; the value itself is never put into a message. */
    private Optional<String> requiredString(Node node, String path) {
        if (node == null) {
            problems.add(path, "is required");
            return Optional.empty();
        }
        if (!(node instanceof ScalarNode)) {
            problems.add(path, "value must be a string, not " + kind(node));
            return Optional.empty();
        }
        Optional<String> expanded = Expansion.expand(text(node), path, environment, problems);
        if (expanded.isEmpty()) {
            return Optional.empty();
        }
        String value = expanded.get();
        if (value.isEmpty()) {
            problems.add(path, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    private Map<String, String> options(Node node, String path) {
        if (node == null || isNull(node)) {
            return Map.of();
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(path, "value must be a map, not " + kind(node));
            return Map.of();
        }
        Map<String, String> options = new TreeMap<>();
        entries(map, path).forEach((key, tuple) -> {
            Node value = tuple.getValueNode();
            if (key.isEmpty()) {
                problems.add(path, "option name must not be empty ("
                        + YamlDocument.position(tuple.getKeyNode().getStartMark()) + ")");
            } else if (value instanceof ScalarNode) {
                Expansion.expand(text(value), Problems.child(path, key), environment, problems)
                        .ifPresent(expanded -> options.put(key, expanded));
            } else {
                problems.add(Problems.child(path, key), "value must be a string, not " + kind(value));
            }
        });
        return options;
    }

    /**
     * {@code targets:}, a list of allow-list entries; absent or null is no list (any target). Each bad entry is a
     * problem of its own, with its index and line (entries are not secrets and are quoted).
     */
    private Optional<TargetAllowList> targets(Node node, String path) {
        if (node == null || isNull(node)) {
            return Optional.empty();
        }
        if (!(node instanceof SequenceNode list)) {
            problems.add(path, "value must be a list of hosts, host:port, CIDR blocks or *.domain wildcards, not "
                    + kind(node));
            return Optional.empty();
        }
        if (list.getValue().isEmpty()) {
            problems.add(path, "must list at least one target (" + YamlDocument.position(node.getStartMark())
                    + "); leave the key out to allow any target");
            return Optional.empty();
        }
        List<TargetAllowList.Entry> entries = new ArrayList<>();
        List<Node> items = list.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String where = path + "[" + i + "]";
            if (!(item instanceof ScalarNode) || isNull(item)) {
                problems.add(where, "value must be a string, not " + kind(item) + " ("
                        + YamlDocument.position(item.getStartMark()) + ")");
                continue;
            }
            try {
                entries.add(TargetAllowList.Entry.parse(text(item)));
            } catch (IllegalArgumentException e) {
                problems.add(where, e.getMessage() + " (" + YamlDocument.position(item.getStartMark()) + ")");
            }
        }
        return entries.size() == items.size() ? Optional.of(new TargetAllowList(entries)) : Optional.empty();
    }

    /** The entries of a map with a fixed set of keys; unknown keys are recorded and left out. */
    Map<String, Node> fields(MappingNode map, String path, List<String> allowed) {
        Map<String, Node> fields = new LinkedHashMap<>();
        entries(map, path).forEach((key, tuple) -> fields.put(key, tuple.getValueNode()));
        fields.keySet().removeIf(key -> {
            if (allowed.contains(key)) {
                return false;
            }
            String where = path.isEmpty() ? " at the top level" : "";
            problems.add(path, "unknown key " + Problems.quote(key) + where + " (allowed: " + String.join(", ", allowed)
                    + ")");
            return true;
        });
        return fields;
    }

    /** The entries of a map in file order; non-scalar and duplicate keys are recorded and left out. */
    private Map<String, NodeTuple> entries(MappingNode map, String path) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        Map<String, Node> keyNodes = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode)) {
                problems.add(path, "keys must be strings, not " + kind(keyNode) + " ("
                        + YamlDocument.position(keyNode.getStartMark()) + ")");
                continue;
            }
            String key = text(keyNode);
            Node first = keyNodes.putIfAbsent(key, keyNode);
            if (first != null) {
                problems.add(path, "duplicate key " + Problems.quote(key) + " (line "
                        + (first.getStartMark().getLine() + 1) + " and line " + (keyNode.getStartMark().getLine() + 1)
                        + ")");
                continue;
            }
            entries.put(key, tuple);
        }
        return entries;
    }
}
