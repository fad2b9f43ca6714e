package io.pgvigil.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and validates the web configuration file ({@code --web.config.file}), strictly as exporter-toolkit
 * does (unknown keys are errors). Messages name the file and the key path, never a value of a hash.
 */
public final class WebConfigLoader {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$(0[4-9]|[12]\\d|3[01])\\$[./A-Za-z0-9]{53}");
    private static final Map<String, String> VERSIONS = Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2",
                                                               "TLS13", "TLSv1.3");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
    private static final List<String> ORDER = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private WebConfigLoader() {
    }

    /** A web config file that cannot be used; every message is safe to log and to send to a client. */
    public static final class InvalidWebConfigException extends Exception {
        private final List<String> errors;

        InvalidWebConfigException(List<String> errors) {
            super(String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        /** {@return every problem, one per entry} */
        public List<String> errors() {
            return errors;
        }
    }

    /**
     * @param file the file as given on the command line
     * @return the validated configuration (certificate and key files are checked to be readable, not parsed)
     * @throws InvalidWebConfigException listing every problem; a missing file is one too
     */
    public static WebConfig load(Path file) throws InvalidWebConfigException {
        Problems problems = new Problems(file);
        if (!Files.exists(file)) {
            throw new InvalidWebConfigException(List.of(file + ": file does not exist"));
        }
        Optional<String> text = ConfigLoader.read(file, problems);
        if (!problems.isEmpty() || text.isEmpty()) {
            throw new InvalidWebConfigException(problems.isEmpty() ? List.of(file + ": file does not exist") : problems.messages());
        }
        Optional<Node> root = YamlDocument.parse(text.get(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidWebConfigException(problems.messages());
        }
        Path dir = file.toAbsolutePath().getParent();
        Optional<WebConfig.Tls> tls = Optional.empty();
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> users = new LinkedHashMap<>();
        Optional<WebConfig.RateLimit> rateLimit = Optional.empty();
        if (root.isPresent() && !isNull(root.get())) {
            Map<String, Node> top = map(root.get(), "", problems,
                                        List.of("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"));
            if (top.containsKey("rate_limit") && !isNull(top.get("rate_limit"))) {
                rateLimit = rateLimit(top.get("rate_limit"), problems);
            }
            if (top.containsKey("tls_server_config") && !isNull(top.get("tls_server_config"))) {
                tls = tls(top.get("tls_server_config"), dir, problems);
            }
            if (top.containsKey("http_server_config") && !isNull(top.get("http_server_config"))) {
                Map<String, Node> http = map(top.get("http_server_config"), "http_server_config", problems, List.of("http2", "headers"));
                if (http.containsKey("headers") && !isNull(http.get("headers"))) {
                    headers(http.get("headers"), problems, headers);
                }
            }
            if (top.containsKey("basic_auth_users") && !isNull(top.get("basic_auth_users"))) {
                Map<String, Node> u = map(top.get("basic_auth_users"), "basic_auth_users", problems, null);
                u.forEach((user, node) -> {
                    String path = Problems.child("basic_auth_users", user);
                    String hash = string(node, path, problems);
                    if (hash != null && !BCRYPT.matcher(hash).matches()) {
                        problems.add(path, "is not a bcrypt hash (expected $2y$<cost>$ and 53 characters, e.g. from htpasswd -nBC 10)");
                    } else if (hash != null) {
                        users.put(user, hash);
                    }
                });
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidWebConfigException(problems.messages());
        }
        return new WebConfig(tls, headers, users, rateLimit);
    }

    private static Optional<WebConfig.RateLimit> rateLimit(Node node, Problems problems) {
        Map<String, Node> r = map(node, "rate_limit", problems, List.of("interval", "burst"));
        Duration interval = Duration.ZERO;
        int burst = 0;
        if (r.containsKey("interval") && !isNull(r.get("interval"))) {
            String v = string(r.get("interval"), "rate_limit.interval", problems);
            Optional<Duration> d = v == null ? Optional.empty() : goDuration(v);
            if (v != null && d.isEmpty()) {
                problems.add("rate_limit.interval", "invalid duration " + Problems.quote(v) + " (e.g. 1s, 500ms, 1m30s)");
            }
            interval = d.orElse(Duration.ZERO);
        }
        if (r.containsKey("burst") && !isNull(r.get("burst"))) {
            String v = string(r.get("burst"), "rate_limit.burst", problems);
            try {
                burst = v == null ? 0 : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                problems.add("rate_limit.burst", "invalid value " + Problems.quote(v) + " (a whole number)");
            }
            if (burst < 0) {
                problems.add("rate_limit.burst", "must not be negative");
            }
        }
        return interval.isZero() || burst < 0 ? Optional.empty() : Optional.of(new WebConfig.RateLimit(interval, burst));
    }

    /** Go's {@code time.ParseDuration} for what a config holds: e.g. {@code 0}, {@code 1s}, {@code 1m30s}, {@code 0.5s}. */
    static Optional<Duration> goDuration(String text) {
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        java.util.regex.Matcher m = GO_DURATION_PART.matcher(text);
        int at = 0;
        double nanos = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "\u00b5s", "\u03bcs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Double.parseDouble(m.group(1)) * unit;
            at = m.end();
        }
        return at == text.length() && at > 0 ? Optional.of(Duration.ofNanos((long) nanos)) : Optional.empty();
    }

    private static Optional<WebConfig.Tls> tls(Node node, Path dir, Problems problems) {
        String base = "tls_server_config";
        Map<String, Node> t = map(node, base, problems,
                                  List.of("cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version",
                                          "max_version", "cipher_suites", "prefer_server_cipher_suites", "cert", "key",
                                          "client_ca", "client_allowed_sans", "curve_preferences"));
        for (String unsupported : List.of("curve_preferences")) {
            if (t.containsKey(unsupported)) {
                problems.add(Problems.child(base, unsupported), "is not supported by pgvigil");
            }
        }
        WebConfig.Pem cert = pem(t, base, "cert_file", "cert", dir, problems, true);
        WebConfig.Pem key = pem(t, base, "key_file", "key", dir, problems, true);
        WebConfig.Pem ca = pem(t, base, "client_ca_file", "client_ca", dir, problems, false);
        WebConfig.ClientAuth auth = WebConfig.ClientAuth.NoClientCert;
        if (t.containsKey("client_auth_type")) {
            String v = string(t.get("client_auth_type"), Problems.child(base, "client_auth_type"), problems);
            if (v != null && !v.isEmpty()) {
                try {
                    auth = WebConfig.ClientAuth.valueOf(v);
                } catch (IllegalArgumentException e) {
                    problems.add(Problems.child(base, "client_auth_type"), "invalid value " + Problems.quote(v)
                            + " (allowed: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
                }
            }
        }
        if (ca == null && (auth == WebConfig.ClientAuth.VerifyClientCertIfGiven || auth == WebConfig.ClientAuth.RequireAndVerifyClientCert)) {
            problems.add(Problems.child(base, "client_ca_file"), "is required when client_auth_type is " + auth);
        }
        String min = version(t.get("min_version"), Problems.child(base, "min_version"), "TLSv1.2", problems);
        String max = version(t.get("max_version"), Problems.child(base, "max_version"), "TLSv1.3", problems);
        if (min != null && max != null && ORDER.indexOf(min) > ORDER.indexOf(max)) {
            problems.add(base, "min_version is above max_version");
        }
        List<String> suites = strings(t.get("cipher_suites"), Problems.child(base, "cipher_suites"), problems);
        List<String> sans = strings(t.get("client_allowed_sans"), Problems.child(base, "client_allowed_sans"), problems);
        if (!sans.isEmpty() && ca == null) {
            problems.add(Problems.child(base, "client_allowed_sans"), "needs client_ca_file or client_ca (client certificates are verified first)");
        }
        if (cert == null || key == null || min == null || max == null) {
            return Optional.empty();
        }
        return Optional.of(new WebConfig.Tls(cert, key, Optional.ofNullable(ca), auth, min, max, suites, sans));
    }

    private static List<String> strings(Node node, String path, Problems problems) {
        List<String> out = new ArrayList<>();
        if (node == null || isNull(node)) {
            return out;
        }
        if (!(node instanceof SequenceNode seq)) {
            problems.add(path, "value must be a list");
            return out;
        }
        for (Node n : seq.getValue()) {
            String s = string(n, path, problems);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** A PEM given as a file or inline (exporter-toolkit allows one of the two, not both). */
    private static WebConfig.Pem pem(Map<String, Node> t, String base, String fileKey, String inlineKey, Path dir,
                                     Problems problems, boolean required) {
        boolean inline = t.containsKey(inlineKey) && !isNull(t.get(inlineKey));
        boolean file = t.containsKey(fileKey) && !isNull(t.get(fileKey));
        if (inline && file) {
            problems.add(base, "give either " + fileKey + " or " + inlineKey + ", not both");
            return null;
        }
        if (!inline) {
            Path p = file(t.get(fileKey), Problems.child(base, fileKey), dir, problems, required);
            return p == null ? null : new WebConfig.Pem.File(p);
        }
        String path = Problems.child(base, inlineKey);
        if (!(t.get(inlineKey) instanceof ScalarNode s)) {
            problems.add(path, "value must be a string, not " + kind(t.get(inlineKey)));
            return null;
        }
        if (!s.getValue().contains("-----BEGIN ")) {
            problems.add(path, "is not PEM text (no -----BEGIN line)");
            return null;
        }
        return new WebConfig.Pem.Inline(path, s.getValue());
    }

    private static String version(Node node, String path, String fallback, Problems problems) {
        if (node == null || isNull(node)) {
            return fallback;
        }
        String v = string(node, path, problems);
        if (v == null) {
            return null;
        }
        String jsse = VERSIONS.get(v);
        if (jsse == null) {
            problems.add(path, "invalid value " + Problems.quote(v) + " (allowed: TLS10, TLS11, TLS12, TLS13)");
        }
        return jsse;
    }

    private static Path file(Node node, String path, Path dir, Problems problems, boolean required) {
        if (node == null || isNull(node)) {
            if (required) {
                problems.add(path, "is required");
            }
            return null;
        }
        String v = string(node, path, problems);
        if (v == null) {
            return null;
        }
        if (v.isEmpty()) {
            if (required) {
                problems.add(path, "must not be empty");
            }
            return null;
        }
        Path p = dir.resolve(v);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            problems.add(path, "cannot read " + p);
            return null;
        }
        return p;
    }

    private static void headers(Node node, Problems problems, Map<String, String> out) {
        String base = "http_server_config.headers";
        Map<String, Node> h = map(node, base, problems, null);
        h.forEach((name, value) -> {
            String path = Problems.child(base, name);
            String canonical = WebConfig.ALLOWED_HEADERS.stream().filter(a -> a.equalsIgnoreCase(name)).findFirst().orElse(null);
            if (canonical == null) {
                problems.add(base, "header " + Problems.quote(name) + " is not allowed (allowed: "
                        + String.join(", ", WebConfig.ALLOWED_HEADERS) + ")");
                return;
            }
            String v = string(value, path, problems);
            if (v == null) {
                return;
            }
            String lower = v.toLowerCase(Locale.ROOT);
            if (canonical.equals("X-Frame-Options") && !lower.equals("deny") && !lower.equals("sameorigin")) {
                problems.add(path, "invalid value (allowed: deny, sameorigin)");
            } else if (canonical.equals("X-Content-Type-Options") && !lower.equals("nosniff")) {
                problems.add(path, "invalid value (allowed: nosniff)");
            } else if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                problems.add(path, "value must not contain control characters");
            } else {
                out.put(canonical, v);
            }
        });
    }

    /** A map's entries by key; unknown keys (when {@code allowed} is given) and duplicates are problems. */
    private static Map<String, Node> map(Node node, String path, Problems problems, List<String> allowed) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (!(node instanceof MappingNode m)) {
            problems.add(path, "value must be a map, not " + kind(node));
            return out;
        }
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k) || isNull(t.getKeyNode())) {
                problems.add(path, "keys must be non-empty strings (" + YamlDocument.position(t.getKeyNode().getStartMark()) + ")");
                continue;
            }
            String key = k.getValue();
            if (allowed != null && !allowed.contains(key)) {
                problems.add(path, "unknown key " + Problems.quote(key) + " (allowed: " + String.join(", ", allowed) + ")");
                continue;
            }
            if (out.put(key, t.getValueNode()) != null) {
                problems.add(path, "duplicate key " + Problems.quote(key));
            }
        }
        return out;
    }

    private static String string(Node node, String path, Problems problems) {
        if (node instanceof ScalarNode s) {
            return isNull(s) ? "" : s.getValue();
        }
        problems.add(path, "value must be a string, not " + kind(node));
        return null;
    }

    private static boolean isNull(Node node) {
        return YamlDocument.isNull(node);
    }

    private static String kind(Node node) {
        return switch (node) {
            case MappingNode m -> "a map";
            case SequenceNode s -> "a list";
            default -> "a scalar";
        };
    }
}
