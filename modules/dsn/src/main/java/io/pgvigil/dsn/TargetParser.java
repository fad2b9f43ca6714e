package io.pgvigil.dsn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns target text into a {@link ConnectionSpec}. The order follows upstream's {@code dsnFromString}:
 * a {@code postgresql://} or {@code postgres://} URL; else a libpq key=value string when the text starts
 * with {@code name=}; else a URL without its scheme ({@code host}, {@code host:port/db},
 * {@code user:pass@host/db?sslmode=disable}).
 *
 * <p>No error message contains the target text; ports, hosts and values are never echoed, since in a
 * malformed URL (an unencoded {@code /} or {@code ?} in a password) they can be pieces of the password.
 */
final class TargetParser {
    /** Longer targets are refused outright. */
    static final int MAX_LENGTH = 4096;
    /** A multi-host target may name at most this many hosts. */
    static final int MAX_HOSTS = 16;

    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://");
    private static final Pattern KEYWORD_START = Pattern.compile("[A-Za-z0-9_]+[ \t\n\r\f\u000B]*=");
    private static final String ENCODE_HINT =
            " (percent-encode \"/\", \"?\", \"@\" and \"#\" in user names and passwords as %2F, %3F, %40 and %23)";

    private TargetParser() {
    }

    static ConnectionSpec parse(String target) {
        if (target == null || target.isBlank()) {
            throw new TargetException("target is required");
        }
        String text = target.strip();
        if (text.length() > MAX_LENGTH) {
            throw TargetException.invalid("target is longer than " + MAX_LENGTH + " characters");
        }
        Matcher scheme = SCHEME.matcher(text);
        if (scheme.lookingAt()) {
            String name = scheme.group(1);
            if (!name.equalsIgnoreCase("postgresql") && !name.equalsIgnoreCase("postgres")) {
                String shown = name.length() <= 20 ? " \"" + name + "\"" : "";
                throw TargetException.invalid("unsupported URL scheme" + shown + " (use postgresql:// or postgres://)");
            }
            return url(text.substring(scheme.end()));
        }
        if (KEYWORD_START.matcher(text).lookingAt()) {
            return keywordValue(text);
        }
        return url(text);
    }

    /** {@code [userinfo@]hostspec[/db][?query]}, the part after {@code scheme://}. */
    private static ConnectionSpec url(String text) {
        int authorityEnd = indexOfAny(text, "/?");
        String authority = text.substring(0, authorityEnd);
        String rest = text.substring(authorityEnd);
        // A password may contain "@", so the host starts after the last one.
        int at = authority.lastIndexOf('@');
        String hint = at < 0 && rest.indexOf('@') >= 0 ? ENCODE_HINT : "";

        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            int colon = userinfo.indexOf(':');
            user = decode(colon >= 0 ? userinfo.substring(0, colon) : userinfo, false, "the user name");
            if (colon >= 0) {
                password = decode(userinfo.substring(colon + 1), false, "the password");
            }
        }
        List<Endpoint> endpoints = urlHosts(authority.substring(at + 1), hint);

        int question = rest.indexOf('?');
        String path = question >= 0 ? rest.substring(0, question) : rest;
        Optional<String> database = Optional.empty();
        if (!path.isEmpty()) {
            String raw = path.substring(1);
            if (raw.indexOf('@') >= 0) {
                throw TargetException.invalid("unexpected \"@\" in the database name" + ENCODE_HINT);
            }
            if (raw.indexOf('/') >= 0) {
                throw TargetException.invalid("unexpected \"/\" in the database name (percent-encode it as %2F)");
            }
            noFragment(raw);
            database = decode(raw, false, "the database name");
        }

        Map<String, String> parameters = new TreeMap<>();
        Optional<String> queryUser = Optional.empty();
        Optional<String> queryPassword = Optional.empty();
        Optional<String> queryDatabase = Optional.empty();
        if (question >= 0) {
            String query = rest.substring(question + 1);
            noFragment(query);
            Set<String> seen = new HashSet<>();
            for (String piece : query.split("&", -1)) {
                if (piece.isEmpty()) {
                    continue;
                }
                int eq = piece.indexOf('=');
                String key = decode(eq >= 0 ? piece.substring(0, eq) : piece, true, "a query parameter name")
                        .orElse("");
                String value = decode(eq >= 0 ? piece.substring(eq + 1) : "", true,
                                      "the value of a query parameter").orElse("");
                if (key.isEmpty()) {
                    throw TargetException.invalid("query parameter without a name");
                }
                boolean known = LibpqParameter.STRUCTURAL.contains(key) || LibpqParameter.byKey(key).isPresent();
                if (!known) {
                    throw LibpqParameter.Origin.TARGET.unsupported(key);
                }
                if (!seen.add(key)) {
                    throw TargetException.invalid("parameter \"" + key + "\" is given more than once");
                }
                switch (key) {
                    case "user" -> queryUser = nonEmpty(value);
                    case "password" -> queryPassword = nonEmpty(value);
                    case "dbname" -> queryDatabase = nonEmpty(value);
                    case "host", "port" -> throw TargetException.invalid(
                            "parameter \"" + key + "\" is not allowed in a URL query; "
                            + "give hosts and ports before the path, as in postgresql://h1:5432,h2:5433/db");
                    default -> {
                        LibpqParameter.validate(key, value, LibpqParameter.Origin.TARGET);
                        parameters.put(key, value);
                    }
                }
            }
        }
        // Upstream: user= and password= in the query count only when the userinfo lacks them.
        user = user.filter(s -> !s.isEmpty());
        if (user.isEmpty()) {
            user = queryUser;
        }
        password = password.filter(s -> !s.isEmpty());
        if (password.isEmpty()) {
            password = queryPassword;
        }
        database = database.filter(s -> !s.isEmpty());
        if (database.isPresent() && queryDatabase.isPresent()) {
            throw TargetException.invalid("the database is given both in the URL path and as parameter \"dbname\"");
        }
        return new ConnectionSpec(endpoints, database.isPresent() ? database : queryDatabase, user,
                                  password.map(Secret::of), parameters);
    }

    /** {@code host[:port][,host[:port]...]}, IPv6 literals in brackets, each port defaulting to 5432. */
    private static List<Endpoint> urlHosts(String hostspec, String hint) {
        if (hostspec.isEmpty()) {
            return List.of(new Endpoint(Endpoint.DEFAULT_HOST, Endpoint.DEFAULT_PORT));
        }
        String[] items = hostspec.split(",", -1);
        if (items.length > MAX_HOSTS) {
            throw TargetException.invalid("too many hosts (at most " + MAX_HOSTS + ")");
        }
        List<Endpoint> endpoints = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            String what = items.length == 1 ? "host" : "host #" + (i + 1);
            String portWhat = items.length == 1 ? "port" : "port of host #" + (i + 1);
            String host;
            String port;
            if (item.startsWith("[")) {
                int close = item.indexOf(']');
                if (close < 0) {
                    throw TargetException.invalid("missing \"]\" after the IPv6 address in " + what + hint);
                }
                host = item.substring(1, close);
                String after = item.substring(close + 1);
                if (!after.isEmpty() && !after.startsWith(":")) {
                    throw TargetException.invalid("unexpected text after \"]\" in " + what + hint);
                }
                port = after.isEmpty() ? "" : after.substring(1);
                if (!Hosts.isIpv6(host)) {
                    throw TargetException.invalid(what + " in square brackets is not an IPv6 address" + hint);
                }
            } else {
                int colon = item.indexOf(':');
                if (colon >= 0 && item.indexOf(':', colon + 1) >= 0) {
                    throw TargetException.invalid("IPv6 address in " + what + " must be in square brackets" + hint);
                }
                host = decode(colon >= 0 ? item.substring(0, colon) : item, false, what).orElse("");
                port = colon >= 0 ? item.substring(colon + 1) : "";
            }
            if (host.isEmpty()) {
                host = Endpoint.DEFAULT_HOST;
            }
            Hosts.host(host, what, hint);
            endpoints.add(new Endpoint(host, Hosts.port(port, portWhat, hint)));
        }
        return endpoints;
    }

    /** A libpq keyword/value string. */
    private static ConnectionSpec keywordValue(String text) {
        Map<String, String> pairs = KeywordValueParser.parse(text);
        List<String> hosts = pairs.containsKey("host") ? KeywordValueParser.commaList(pairs.get("host")) : List.of("");
        List<String> ports = pairs.containsKey("port") ? KeywordValueParser.commaList(pairs.get("port")) : List.of("");
        if (hosts.size() > MAX_HOSTS) {
            throw TargetException.invalid("too many hosts (at most " + MAX_HOSTS + ")");
        }
        if (ports.size() != 1 && ports.size() != hosts.size()) {
            throw TargetException.invalid("parameter \"port\" lists " + ports.size() + " ports for " + hosts.size()
                                          + " hosts (give one port for all hosts or one per host)");
        }
        List<Endpoint> endpoints = new ArrayList<>(hosts.size());
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                host = Endpoint.DEFAULT_HOST;
            }
            String what = hosts.size() == 1 ? "host" : "host #" + (i + 1);
            String hint = Hosts.isIpv6(host) && Hosts.problem(host).isPresent() ? " (give the port with port=)" : "";
            Hosts.host(host, what, hint);
            String port = ports.size() == 1 ? ports.getFirst() : ports.get(i);
            String portWhat = ports.size() == 1 ? "port" : "port #" + (i + 1);
            endpoints.add(new Endpoint(host, Hosts.port(port, portWhat, "")));
        }
        Map<String, String> parameters = new TreeMap<>();
        pairs.forEach((key, value) -> {
            if (!LibpqParameter.STRUCTURAL.contains(key)) {
                LibpqParameter.validate(key, value, LibpqParameter.Origin.TARGET);
                parameters.put(key, value);
            }
        });
        return new ConnectionSpec(endpoints,
                                  nonEmpty(pairs.getOrDefault("dbname", "")),
                                  nonEmpty(pairs.getOrDefault("user", "")),
                                  nonEmpty(pairs.getOrDefault("password", "")).map(Secret::of),
                                  parameters);
    }

    private static Optional<String> decode(String text, boolean plusIsSpace, String what) {
        return Optional.of(PercentCodec.decode(text, plusIsSpace).orElseThrow(
                () -> TargetException.invalid("invalid percent-encoding in " + what)));
    }

    private static Optional<String> nonEmpty(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static void noFragment(String text) {
        if (text.indexOf('#') >= 0) {
            throw TargetException.invalid("\"#\" in a URL must be percent-encoded as %23 (fragments are not supported)");
        }
    }

    private static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
