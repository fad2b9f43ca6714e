package io.pgvigil.dsn;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The libpq connection parameters a target may carry besides the structural ones ({@code host},
 * {@code port}, {@code dbname}, {@code user}, {@code password}), each with its value rule and its
 * translation to pgjdbc connection properties. Anything not listed here is rejected.
 */
enum LibpqParameter {
    APPLICATION_NAME("application_name", new Rule.Text(true), new Translation.SameValue("ApplicationName")),
    CHANNEL_BINDING("channel_binding", "channelBinding", ordered("disable", "disable", "prefer", "prefer",
                                                                  "require", "require")),
    CLIENT_ENCODING("client_encoding", new Rule.Utf8(), new Translation.NoProperty()),
    CONNECT_TIMEOUT("connect_timeout", new Rule.Seconds(Rule.Seconds.MAX),
                    new Translation.SameValue("connectTimeout", "loginTimeout")),
    FALLBACK_APPLICATION_NAME("fallback_application_name", new Rule.Text(true),
                              new Translation.FallbackFor("application_name", "ApplicationName")),
    GSSENCMODE("gssencmode", "gssEncMode", ordered("disable", "disable", "prefer", "prefer", "require", "require")),
    IDLE_IN_TRANSACTION_SESSION_TIMEOUT("idle_in_transaction_session_timeout", new Rule.Duration(),
                                        new Translation.ServerSetting()),
    KEEPALIVES("keepalives", "tcpKeepAlive", ordered("0", "false", "1", "true")),
    KRBSRVNAME("krbsrvname", new Rule.Text(false), new Translation.SameValue("kerberosServerName")),
    LOCK_TIMEOUT("lock_timeout", new Rule.Duration(), new Translation.ServerSetting()),
    OPTIONS("options", new Rule.Text(true), new Translation.StartupOptions()),
    REQUIRE_AUTH("require_auth", new Rule.AuthMethods(), new Translation.SameValue("requireAuth")),
    SSLCERT("sslcert", new Rule.Text(false), new Translation.SameValue("sslcert")),
    SSLKEY("sslkey", new Rule.Text(false), new Translation.SameValue("sslkey")),
    SSLMODE("sslmode", "sslmode", ordered("disable", "disable", "allow", "allow", "prefer", "prefer",
                                          "require", "require", "verify-ca", "verify-ca",
                                          "verify-full", "verify-full")),
    SSLNEGOTIATION("sslnegotiation", "sslNegotiation", ordered("postgres", "postgres", "direct", "direct")),
    SSLPASSWORD("sslpassword", new Rule.AnyText(), new Translation.SameValue("sslpassword")),
    SSLROOTCERT("sslrootcert", new Rule.Text(false), new Translation.SameValue("sslrootcert")),
    STATEMENT_TIMEOUT("statement_timeout", new Rule.Duration(), new Translation.ServerSetting()),
    TARGET_SESSION_ATTRS("target_session_attrs", "targetServerType",
                         ordered("any", "any", "read-write", "primary", "read-only", "secondary",
                                 "primary", "primary", "standby", "secondary", "prefer-standby", "preferSecondary"));

    /** Parameters that are fields of {@link ConnectionSpec}, not entries of its parameter map. */
    static final Set<String> STRUCTURAL = Set.of("host", "port", "dbname", "user", "password");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

    private static final Map<String, LibpqParameter> BY_KEY = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(LibpqParameter::key, Function.identity()));

    private final String key;
    private final Rule rule;
    private final Translation translation;

    LibpqParameter(String key, Rule rule, Translation translation) {
        this.key = key;
        this.rule = rule;
        this.translation = translation;
    }

    /** A parameter with a fixed set of values, each mapped to the pgjdbc value of {@code property}. */
    LibpqParameter(String key, String property, SequencedMap<String, String> values) {
        this(key, new Rule.OneOf(List.copyOf(values.sequencedKeySet())), new Translation.Mapped(property, values));
    }

    /** The libpq name. */
    String key() {
        return key;
    }

    Rule rule() {
        return rule;
    }

    Translation translation() {
        return translation;
    }

    /** Whether the value is a secret and is never shown. */
    boolean secret() {
        return this == SSLPASSWORD;
    }

    static Optional<LibpqParameter> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Whether a key names a secret (structural {@code password} or {@code sslpassword}). */
    static boolean isSecret(String key) {
        return key.equals("password") || byKey(key).map(LibpqParameter::secret).orElse(false);
    }

    /** Every key a target may carry: the structural ones and the table. */
    static SortedSet<String> targetKeys() {
        SortedSet<String> keys = new TreeSet<>(BY_KEY.keySet());
        keys.addAll(STRUCTURAL);
        return Collections.unmodifiableSortedSet(keys);
    }

    /** Every key an auth module's {@code options} may carry: the table and {@code dbname}. */
    static SortedSet<String> moduleKeys() {
        SortedSet<String> keys = new TreeSet<>(BY_KEY.keySet());
        keys.add("dbname");
        return Collections.unmodifiableSortedSet(keys);
    }

    /**
     * Checks a non-structural parameter.
     *
     * @throws TargetException when the key is unknown or the value breaks its rule; the value is never echoed
     */
    static void validate(String key, String value, Origin origin) {
        LibpqParameter parameter = byKey(key).orElseThrow(() -> origin.unsupported(key));
        parameter.rule().problem(value).ifPresent(problem -> {
            throw new TargetException(origin.prefix() + origin.noun() + " \"" + key + "\" " + problem);
        });
    }

    /** Whether a key is worth echoing in a message: a plain identifier, not a piece of arbitrary text. */
    static boolean printable(String key) {
        return IDENTIFIER.matcher(key).matches();
    }

    private static SequencedMap<String, String> ordered(String... pairs) {
        SequencedMap<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableSequencedMap(map);
    }

    /**
     * Where parameters come from, for error messages.
     *
     * @param prefix    message prefix, e.g. {@code invalid target: }
     * @param noun      {@code parameter} or {@code option}
     * @param supported the keys allowed there, listed in the unsupported-key message
     */
    record Origin(String prefix, String noun, SortedSet<String> supported) {
        static final Origin TARGET = new Origin("invalid target: ", "parameter", targetKeys());

        static Origin module(String name) {
            return new Origin("invalid auth module \"" + name + "\": ", "option", moduleKeys());
        }

        TargetException unsupported(String key) {
            String named = printable(key) ? "\"" + key + "\"" : "with an invalid name";
            return new TargetException(prefix + "unsupported connection " + noun + " " + named
                                       + " (supported: " + String.join(", ", supported) + ")");
        }
    }

    /** A check on a parameter value. Problems never include the value. */
    sealed interface Rule {
        /**
         * @return what is wrong (completing {@code parameter "x" ...}), empty when the value is fine
         */
        Optional<String> problem(String value);

        /** Rejects C0 controls and DEL, which have no business in a parameter and could forge log lines. */
        static boolean hasControl(String value) {
            return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
        }

        /** Free text, such as a file name or application name. */
        record Text(boolean emptyAllowed) implements Rule {
            @Override
            public Optional<String> problem(String value) {
                if (value.isEmpty() && !emptyAllowed) {
                    return Optional.of("must not be empty");
                }
                if (hasControl(value)) {
                    return Optional.of("must not contain control characters");
                }
                return value.length() > 1024 ? Optional.of("is longer than 1024 characters") : Optional.empty();
            }
        }

        /** A secret: anything goes except emptiness, since nothing about it may be reported. */
        record AnyText() implements Rule {
            @Override
            public Optional<String> problem(String value) {
                return value.isEmpty() ? Optional.of("must not be empty") : Optional.empty();
            }
        }

        /** One of a fixed list, case-sensitive as in libpq. */
        record OneOf(List<String> allowed) implements Rule {
            @Override
            public Optional<String> problem(String value) {
                return allowed.contains(value)
                        ? Optional.empty()
                        : Optional.of("must be one of " + String.join(", ", allowed));
            }
        }

        /** Whole seconds from 0 to {@code max}. */
        record Seconds(int max) implements Rule {
            /** pgjdbc multiplies seconds by 1000 into an {@code int}. */
            static final int MAX = Integer.MAX_VALUE / 1000;
            private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

            @Override
            public Optional<String> problem(String value) {
                return DIGITS.matcher(value).matches() && Long.parseLong(value) <= max
                        ? Optional.empty()
                        : Optional.of("must be a whole number of seconds from 0 to " + max);
            }
        }

        /** A server time setting: a non-negative number with an optional PostgreSQL time unit. */
        record Duration() implements Rule {
            private static final Pattern DURATION = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,6})? ?(us|ms|s|min|h|d)?");

            @Override
            public Optional<String> problem(String value) {
                return DURATION.matcher(value).matches()
                        ? Optional.empty()
                        : Optional.of("must be a duration: a non-negative number, milliseconds by default, "
                                      + "or with a unit us, ms, s, min, h or d (e.g. 500ms, 30s, 5min)");
            }
        }

        /** libpq {@code require_auth}: a comma-separated list of methods, all or none negated with {@code !}. */
        record AuthMethods() implements Rule {
            static final List<String> METHODS = List.of("password", "md5", "gss", "sspi", "scram-sha-256", "none");

            @Override
            public Optional<String> problem(String value) {
                String[] items = value.split(",", -1);
                Set<String> seen = new HashSet<>();
                int negated = 0;
                for (String item : items) {
                    boolean not = item.startsWith("!");
                    String method = not ? item.substring(1) : item;
                    if (not) {
                        negated++;
                    }
                    if (!METHODS.contains(method) || !seen.add(method)) {
                        return Optional.of(usage());
                    }
                }
                return negated == 0 || negated == items.length ? Optional.empty() : Optional.of(usage());
            }

            private static String usage() {
                return "must be a comma-separated list of distinct methods from " + String.join(", ", METHODS)
                       + ", either all or none prefixed with \"!\"";
            }
        }

        /** {@code client_encoding}: pgjdbc always speaks UTF8, so nothing else can be honoured. */
        record Utf8() implements Rule {
            @Override
            public Optional<String> problem(String value) {
                return value.equalsIgnoreCase("UTF8") || value.equalsIgnoreCase("UTF-8")
                        ? Optional.empty()
                        : Optional.of("must be UTF8 (the JDBC driver always uses UTF8)");
            }
        }
    }

    /** How a parameter becomes pgjdbc connection properties. */
    sealed interface Translation {
        /** The value, unchanged, for each of the properties. */
        record SameValue(List<String> properties) implements Translation {
            SameValue(String... properties) {
                this(List.of(properties));
            }
        }

        /** The value mapped through a table (the rule guarantees it is a key). */
        record Mapped(String property, Map<String, String> values) implements Translation {
        }

        /** The value for {@code property}, unless the parameter {@code primary} is present. */
        record FallbackFor(String primary, String property) implements Translation {
        }

        /** A server setting, sent as {@code -c name=value} in pgjdbc's {@code options}. */
        record ServerSetting() implements Translation {
        }

        /** libpq {@code options}: pgjdbc {@code options}, with the server settings appended. */
        record StartupOptions() implements Translation {
        }

        /** Accepted but nothing to pass on. */
        record NoProperty() implements Translation {
        }
    }
}
