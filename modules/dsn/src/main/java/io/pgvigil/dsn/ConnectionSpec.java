package io.pgvigil.dsn;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where and how to connect to one PostgreSQL server: the parsed form of a {@code /probe?target=} value or
 * of {@code DATA_SOURCE_NAME}, possibly merged with an auth module. Immutable; {@link #toString()} masks
 * every secret.
 *
 * @param endpoints  the servers to try in order, at least one
 * @param database   the database; when empty, libpq semantics apply (see {@link #effectiveDatabase()})
 * @param user       the user; when empty, the operating system user (see {@link #effectiveUser()})
 * @param password   the password
 * @param parameters further libpq parameters (never {@code host}, {@code port}, {@code dbname}, {@code user},
 *                   {@code password}), sorted by name, each validated against {@link #supportedParameters()}
 * @param credentialFiles files the user name or password are read from for each new connection (an auth module's
 *                   {@code username_file}, {@code password_file}); while one is set, {@code user} or {@code password}
 *                   is empty
 * @param pinned     for a target checked against an auth module's allow-list, the addresses each endpoint was
 *                   resolved to and checked: the connection goes to these only, never to a second lookup's answer
 *                   (see {@link TargetAllowList#admit}); empty when the target is not pinned. An endpoint pinned
 *                   to no address cannot be connected to. Never shown by {@link #redacted()}.
 * @param connectionBudget how many connections to this target's server the pool may hold for it, from its auth module's
 *                   {@code connection_budget}; empty for {@code --connection.server-budget}. Not a connection
 *                   parameter: never passed to the driver nor shown by {@link #redacted()}.
 */
public record ConnectionSpec(List<Endpoint> endpoints,
                             Optional<String> database,
                             Optional<String> user,
                             Optional<Secret> password,
                             Map<String, String> parameters,
                             CredentialFiles credentialFiles,
                             Map<Endpoint, List<InetAddress>> pinned,
                             Optional<ConnectionBudget> connectionBudget) {

    /**
     * Copies and validates everything; empty strings for database, user and password mean "absent".
     *
     * @throws TargetException when a part is invalid
     */
    public ConnectionSpec {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(parameters, "parameters");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw TargetException.invalid("at least one host is required");
        }
        database = database.filter(s -> !s.isEmpty());
        user = user.filter(s -> !s.isEmpty());
        password = password.filter(p -> !p.isEmpty());
        database.ifPresent(d -> checkName(d, "the database name"));
        user.ifPresent(u -> checkName(u, "the user name"));
        TreeMap<String, String> sorted = new TreeMap<>();
        parameters.forEach((key, value) -> {
            Objects.requireNonNull(key, "parameter name");
            Objects.requireNonNull(value, "parameter value");
            if (LibpqParameter.STRUCTURAL.contains(key)) {
                throw TargetException.invalid("parameter \"" + key + "\" is a field of the target, not an extra parameter");
            }
            LibpqParameter.validate(key, value, LibpqParameter.Origin.TARGET);
            sorted.put(key, value);
        });
        checkCombination(sorted);
        parameters = Collections.unmodifiableSortedMap(sorted);
        Objects.requireNonNull(credentialFiles, "credentialFiles");
        if (credentialFiles.usernameFile().isPresent()) {
            user = Optional.empty();
        }
        if (credentialFiles.passwordFile().isPresent()) {
            password = Optional.empty();
        }
        Objects.requireNonNull(pinned, "pinned");
        Map<Endpoint, List<InetAddress>> pins = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            List<InetAddress> addresses = pinned.get(endpoint);
            if (addresses != null) {
                pins.put(endpoint, List.copyOf(addresses));
            } else if (!pinned.isEmpty()) {
                throw new IllegalArgumentException("a pinned target needs addresses for every endpoint");
            }
        }
        if (pins.size() != pinned.size()) {
            throw new IllegalArgumentException("pinned addresses for an endpoint the target does not have");
        }
        pinned = Collections.unmodifiableMap(pins);
        Objects.requireNonNull(connectionBudget, "connectionBudget");
    }

    /**
     * A specification without a budget of its own ({@code --connection.server-budget} applies).
     *
     * @throws TargetException when a part is invalid
     */
    public ConnectionSpec(List<Endpoint> endpoints, Optional<String> database, Optional<String> user,
                          Optional<Secret> password, Map<String, String> parameters, CredentialFiles credentialFiles,
                          Map<Endpoint, List<InetAddress>> pinned) {
        this(endpoints, database, user, password, parameters, credentialFiles, pinned, Optional.empty());
    }

    /**
     * A specification whose credentials, if any, are in it (no {@linkplain CredentialFiles files}), and that is not
     * pinned: its hosts are resolved when it is connected to.
     *
     * @throws TargetException when a part is invalid
     */
    public ConnectionSpec(List<Endpoint> endpoints, Optional<String> database, Optional<String> user,
                          Optional<Secret> password, Map<String, String> parameters) {
        this(endpoints, database, user, password, parameters, CredentialFiles.NONE, Map.of(), Optional.empty());
    }

    /**
     * @param addresses for every endpoint, the addresses it was resolved to and checked (possibly none)
     * @return this target, connecting to those addresses only
     */
    public ConnectionSpec pinnedTo(Map<Endpoint, List<InetAddress>> addresses) {
        return new ConnectionSpec(endpoints, database, user, password, parameters, credentialFiles, addresses,
                                  connectionBudget);
    }

    /**
     * @return this target without a budget of its own: what the pool keys its idle connections by, so that two auth
     *         modules that differ only in their {@code connection_budget} share kept connections
     */
    public ConnectionSpec withoutConnectionBudget() {
        return connectionBudget.isEmpty() ? this
                : new ConnectionSpec(endpoints, database, user, password, parameters, credentialFiles, pinned, Optional.empty());
    }

    /**
     * @return the server this target connects to, as the pool's per-server budget counts it: its endpoints as written,
     *         {@code host:port} (IPv6 in brackets), comma-separated when there are several. Never a user or password.
     */
    public String server() {
        return authorities();
    }

    /**
     * Parses a target: a {@code postgresql://} or {@code postgres://} URL (percent-encoded, several
     * {@code host:port} separated by commas allowed), the same without the scheme ({@code db1},
     * {@code db1:5432/app}, {@code [::1]:5432/app}, {@code user:pass@db1/app?sslmode=disable}), or a libpq
     * key=value string ({@code host=db1 port=5433 dbname=app password='it''s'}). The host defaults to
     * {@code localhost}, the port to 5432.
     *
     * @param target the target text, already URL-decoded once by the HTTP layer
     * @return the specification
     * @throws TargetException when the target is empty, malformed, names a unix-domain socket or carries an
     *                         unsupported or invalid parameter; the message never contains the target text
     */
    public static ConnectionSpec parse(String target) {
        return TargetParser.parse(target);
    }

    /**
     * The target text of one database of a server, as {@code /discovery} lists it: {@code server/database} with
     * the name percent-encoded (every character but letters, digits and {@code -._~}), so that any name a server
     * can hold reads back as exactly that database.
     *
     * @param server   a server as {@link TargetAllowList#servers()} gives it ({@code host[:port]})
     * @param database the database name
     * @return the target
     */
    public static String databaseTarget(String server, String database) {
        return server + "/" + PercentCodec.encode(database, "");
    }

    /**
     * Parses a target that comes from an HTTP request ({@code /probe?target=}): as {@link #parse}, but the
     * parameter {@code options} is refused. Server options from whoever can reach {@code /probe} could set
     * {@code search_path} and make an auth module's privileged user run look-alike functions: only the operator's
     * configuration (an auth module's options, the default data source) may set them.
     *
     * @param target the target text, already URL-decoded once by the HTTP layer
     * @return the specification, without {@code options}
     * @throws TargetException as {@link #parse}, and when the target carries {@code options}
     */
    public static ConnectionSpec parseUntrusted(String target) {
        ConnectionSpec spec = parse(target);
        if (spec.parameters().containsKey("options")) {
            throw TargetException.invalid("parameter \"options\" is only accepted in an auth module's options");
        }
        return spec;
    }

    /**
     * @return every parameter name a target may carry: the structural ones ({@code dbname}, {@code host},
     *         {@code password}, {@code port}, {@code user}) and those translated for the driver
     */
    public static SortedSet<String> supportedParameters() {
        return LibpqParameter.targetKeys();
    }

    /**
     * Merges an auth module, as upstream's {@code ConfigureTarget}: its {@code userpass} user and password
     * replace the target's (a {@code cert} module's user replaces it, the target's password is dropped, and its
     * {@code sslcert}, {@code sslkey}, {@code sslpassword}, {@code sslrootcert} and {@code sslmode} replace any
     * such option or parameter); each option replaces the same-named target parameter, and option {@code dbname}
     * replaces the database. Options {@code host}, {@code port}, {@code user} and {@code password} are
     * refused: the host belongs in the target, credentials in {@code userpass}. A {@linkplain Secret#guarded guarded}
     * password stays guarded (never sent in clear text) unless the module's own options allow it: {@code sslmode}
     * {@code verify-ca} or {@code verify-full} with a trust anchor the target cannot replace, or {@code require_auth}
     * naming {@code password}. The module's {@code connection_budget}, when it has one, becomes the target's.
     *
     * @param module the auth module
     * @return the merged specification
     * @throws TargetException when an option is refused, unsupported or invalid
     */
    public ConnectionSpec withAuthModule(AuthModule module) {
        Objects.requireNonNull(module, "module");
        LibpqParameter.Origin origin = LibpqParameter.Origin.module(module.name());
        Optional<String> mergedDatabase = database;
        Map<String, String> mergedParameters = new TreeMap<>(parameters);
        for (Map.Entry<String, String> option : module.options().entrySet()) {
            String key = option.getKey();
            String value = option.getValue();
            switch (key) {
                case "host", "port" -> throw new TargetException(
                        origin.prefix() + "option \"" + key + "\" is not allowed: the host and port belong in the target");
                case "user", "password" -> throw new TargetException(
                        origin.prefix() + "option \"" + key + "\" is not allowed: credentials belong in userpass");
                case "dbname" -> {
                    if (value.isEmpty()) {
                        throw new TargetException(origin.prefix() + "option \"dbname\" must not be empty");
                    }
                    if (LibpqParameter.Rule.hasControl(value)) {
                        throw new TargetException(origin.prefix() + "option \"dbname\" must not contain control characters");
                    }
                    mergedDatabase = Optional.of(value);
                }
                default -> {
                    LibpqParameter.validate(key, value, origin);
                    mergedParameters.put(key, value);
                }
            }
        }
        Optional<String> mergedUser = user;
        Optional<Secret> mergedPassword = password;
        CredentialFiles files = CredentialFiles.NONE;
        switch (module.credentials()) {
            case Credentials.UserPass(String username, Secret secret, var usernameFile, var passwordFile) -> {
                mergedUser = Optional.of(username);
                mergedPassword = Optional.of(secret);
                files = new CredentialFiles(usernameFile, passwordFile, secret.isGuarded());
            }
            case Credentials.Cert cert -> {
                // No password at all: a target's password is not sent to a server this module reaches by certificate.
                // The certificate's parameters come after the options, so neither options nor target can weaken them.
                mergedUser = Optional.of(cert.username());
                mergedPassword = Optional.empty();
                cert.parameters().forEach((key, value) -> {
                    LibpqParameter.validate(key, value, origin);
                    mergedParameters.put(key, value);
                });
            }
        }
        if (mergedPassword.filter(Secret::isGuarded).isPresent() || files.guardedPassword()) {
            if (CleartextGuard.moduleAllows(module.options(), parameters)) {
                mergedPassword = mergedPassword.map(Secret::unguarded);
                files = new CredentialFiles(files.usernameFile(), files.passwordFile(), false);
            } else if (CleartextGuard.restrict(Optional.ofNullable(mergedParameters.get("require_auth"))).isEmpty()) {
                throw new TargetException(origin.prefix() + CleartextGuard.onlyPasswordAllowed());
            }
        }
        return new ConnectionSpec(endpoints, mergedDatabase, mergedUser, mergedPassword, mergedParameters, files, pinned,
                                  module.connectionBudget().or(() -> connectionBudget));
    }

    /**
     * The specification with its {@linkplain #credentialFiles() credential files} replaced by what the caller read
     * from them for a new connection. A password read from a file is guarded as the module's password would be.
     *
     * @param username the content of {@code username_file}; ignored when there is none
     * @param password the content of {@code password_file}; ignored when there is none
     * @return the specification without files
     * @throws TargetException when the user name read is invalid (the message never holds it)
     */
    public ConnectionSpec withFileContents(Optional<String> username, Optional<String> password) {
        Optional<String> resolvedUser = credentialFiles.usernameFile().isPresent() ? username : user;
        Optional<Secret> resolvedPassword = credentialFiles.passwordFile().isPresent()
                ? password.map(v -> credentialFiles.guardedPassword() ? Secret.guarded(v) : Secret.of(v))
                : this.password;
        // Still pinned: reading the files must not bring back a DNS lookup the allow-list check ruled out.
        return new ConnectionSpec(endpoints, database, resolvedUser, resolvedPassword, parameters, CredentialFiles.NONE,
                                  pinned, connectionBudget);
    }

    /**
     * @return the user to log in as: the given one, else the operating system user ({@code user.name}), as libpq
     */
    public String effectiveUser() {
        return user.orElseGet(ConnectionSpec::osUser);
    }

    /**
     * @return the database to connect to: the given one, else the {@linkplain #effectiveUser() user name}, as libpq
     */
    public String effectiveDatabase() {
        return database.orElseGet(this::effectiveUser);
    }

    /**
     * @return {@code jdbc:postgresql://host:port[,host:port...]/<percent-encoded database>}, with the
     *         {@linkplain #effectiveDatabase() effective database}; no properties in the URL
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + authorities() + "/" + PercentCodec.encode(effectiveDatabase(), "");
    }

    /**
     * Translates the libpq parameters into pgjdbc connection properties. User and password are not
     * included: the caller adds them. Parameters that are absent add nothing, so pgjdbc's defaults apply. With a
     * {@linkplain Secret#isGuarded guarded} password, {@code requireAuth} refuses the cleartext method
     * {@code password} (added to a negated list, removed from a positive one).
     *
     * @return property name to value, sorted by name
     */
    public Map<String, String> driverProperties() {
        Map<String, String> properties = new TreeMap<>();
        List<String> settings = new ArrayList<>();
        parameters.forEach((key, value) -> {
            LibpqParameter parameter = LibpqParameter.byKey(key).orElseThrow();
            switch (parameter.translation()) {
                case LibpqParameter.Translation.SameValue(List<String> names) ->
                        names.forEach(name -> properties.put(name, value));
                case LibpqParameter.Translation.Mapped(String name, Map<String, String> values) ->
                        properties.put(name, values.get(value));
                case LibpqParameter.Translation.FallbackFor(String primary, String name) -> {
                    if (!parameters.containsKey(primary)) {
                        properties.put(name, value);
                    }
                }
                case LibpqParameter.Translation.ServerSetting() -> settings.add("-c " + key + "=" + escapeOption(value));
                case LibpqParameter.Translation.StartupOptions() -> {
                    // Combined with the server settings below.
                }
                case LibpqParameter.Translation.NoProperty() -> {
                    // Accepted, nothing to pass on.
                }
            }
        });
        List<String> options = new ArrayList<>();
        Optional.ofNullable(parameters.get("options")).filter(o -> !o.isBlank()).ifPresent(options::add);
        options.addAll(settings);
        if (!options.isEmpty()) {
            properties.put("options", String.join(" ", options));
        }
        if (password.filter(Secret::isGuarded).isPresent() || credentialFiles.guardedPassword()) {
            properties.put("requireAuth", CleartextGuard.restrict(Optional.ofNullable(parameters.get("require_auth")))
                    .orElseThrow(() -> new TargetException("invalid connection parameters: "
                                                           + CleartextGuard.onlyPasswordAllowed())));
        }
        return Collections.unmodifiableMap(properties);
    }

    /**
     * Renders the target for logs: {@code postgresql://user:******@host:port[,host:port]/db?k=v}, always
     * with scheme {@code postgresql://}, every port, IPv6 hosts in brackets, percent-encoding where needed,
     * and {@code ******} for the password and secret parameters. Parsing it again yields the same
     * specification minus the secrets.
     *
     * @return the redacted target
     */
    public String redacted() {
        StringBuilder out = new StringBuilder("postgresql://");
        user.ifPresent(u -> out.append(PercentCodec.encode(u, "")));
        password.ifPresent(p -> out.append(':').append(Secret.MASK));
        if (user.isPresent() || password.isPresent()) {
            out.append('@');
        }
        out.append(authorities());
        database.ifPresent(d -> out.append('/').append(PercentCodec.encode(d, "")));
        if (!parameters.isEmpty()) {
            out.append('?').append(parameters.entrySet().stream()
                    .map(e -> e.getKey() + "=" + (LibpqParameter.isSecret(e.getKey())
                            ? Secret.MASK
                            : PercentCodec.encode(e.getValue(), "/:,!*")))
                    .collect(Collectors.joining("&")));
        }
        return out.toString();
    }

    /** The same as {@link #redacted()}. */
    @Override
    public String toString() {
        return redacted();
    }

    private String authorities() {
        return endpoints.stream().map(Endpoint::authority).collect(Collectors.joining(","));
    }

    private static String osUser() {
        String name = System.getProperty("user.name", "");
        return name.isEmpty() ? "postgres" : name;
    }

    private static void checkName(String value, String what) {
        if (LibpqParameter.Rule.hasControl(value)) {
            throw TargetException.invalid(what + " must not contain control characters");
        }
        if (value.length() > 1024) {
            throw TargetException.invalid(what + " is longer than 1024 characters");
        }
    }

    /** Checks rules that span parameters, as libpq does when it connects. */
    private static void checkCombination(Map<String, String> parameters) {
        if ("direct".equals(parameters.get("sslnegotiation"))) {
            String mode = parameters.getOrDefault("sslmode", "prefer");
            if (!List.of("require", "verify-ca", "verify-full").contains(mode)) {
                throw new TargetException("invalid connection parameters: sslnegotiation=direct requires sslmode "
                                          + "require, verify-ca or verify-full");
            }
        }
    }

    /**
     * Escapes a value for the server's {@code options} splitting: backslash and space take a backslash,
     * as libpq documents. The rules of the server-setting parameters admit no other special character.
     */
    static String escapeOption(String value) {
        StringBuilder out = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == ' ') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
