package io.pgvigil.config;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the auth-module file ({@code --config.file}). The file is read once, at startup; upstream has no
 * reload either.
 */
public final class ConfigLoader {
    /** Largest file accepted; a real one is a few kilobytes. Also guards against {@code /dev/zero}. */
    static final int MAX_BYTES = 1024 * 1024;

    private ConfigLoader() {
    }

    /**
     * Reads and validates the file. Never throws for a problem with the file: a file that does not exist is
     * {@link LoadResult.Missing}; one that cannot be read, is not UTF-8, is not YAML or does not validate is
     * {@link LoadResult.Invalid} with every problem found.
     *
     * @param file the file, as given on the command line (messages show it as given)
     * @return the outcome
     */
    public static LoadResult load(Path file) {
        return load(file, Environment.system());
    }

    /**
     * Reads and validates the file as {@link #load(Path)}, expanding {@code ${VAR}} in {@code userpass} fields and
     * option values from {@code environment}; an unset variable makes the file {@link LoadResult.Invalid} with a
     * message naming the key and the variable.
     *
     * @param file        the file, as given on the command line
     * @param environment where variables are looked up
     * @return the outcome
     */
    public static LoadResult load(Path file, Environment environment) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(environment, "environment");
        Problems problems = new Problems(file);
        Optional<String> text = read(file, problems);
        if (text.isEmpty()) {
            return problems.isEmpty()
                    ? new LoadResult.Missing(file)
                    : new LoadResult.Invalid(file, problems.messages());
        }
        Optional<Node> root = YamlDocument.parse(text.get(), problems);
        if (!problems.isEmpty()) {
            return new LoadResult.Invalid(file, problems.messages());
        }
        AuthConfig config = new AuthModulesMapper(problems, environment).map(root);
        if (!problems.isEmpty()) {
            return new LoadResult.Invalid(file, problems.messages());
        }
        return new LoadResult.Loaded(file, config);
    }

    /**
     * A one-line, password-free description of a module for the startup log, e.g.
     * {@code type=userpass user=monitor options="application_name=pgvigil,sslmode=disable"}.
     * The values of the {@code password} and {@code sslpassword} options show as {@code ******}.
     *
     * @param module the module
     * @return logfmt-style {@code key=value} pairs, without the module name
     */
    public static String summary(AuthModule module) {
        StringBuilder out = new StringBuilder();
        switch (module.credentials()) {
            case Credentials.UserPass userPass -> {
                out.append("type=").append(userPass.type());
                userPass.usernameFile().ifPresentOrElse(
                        f -> out.append(" username_file=").append(logfmtValue(f.toString())),
                        () -> out.append(" user=").append(logfmtValue(userPass.username())));
                userPass.passwordFile().ifPresent(f -> out.append(" password_file=").append(logfmtValue(f.toString())));
            }
            case Credentials.Cert cert -> out.append("type=").append(cert.type())
                    .append(" user=").append(logfmtValue(cert.username()))
                    .append(" sslcert=").append(logfmtValue(cert.sslcert()))
                    .append(" sslkey=").append(logfmtValue(cert.sslkey()))
                    .append(cert.sslpassword().isPresent() ? " sslpassword=" + Secret.MASK : "")
                    .append(" sslrootcert=").append(logfmtValue(cert.sslrootcert()))
                    .append(" sslmode=").append(cert.sslmode());
        }
        StringJoiner options = new StringJoiner(",");
        module.options().forEach((key, value) -> options.add(key + "=" + (isSecretOption(key) ? Secret.MASK : value)));
        out.append(" options=").append(Problems.quote(options.toString(), Integer.MAX_VALUE));
        module.targets().ifPresent(targets -> out.append(" targets=").append(Problems.quote(
                String.join(",", targets.entries().stream().map(TargetAllowList.Entry::text).toList()), Integer.MAX_VALUE)));
        module.connectionBudget().ifPresent(budget -> out.append(" connection_budget=").append(budget));
        module.serverWide().ifPresent(serverWide -> out.append(" server_wide=").append(serverWide.spelling()));
        return out.toString();
    }

    /**
     * Warnings about the credential files of the modules ({@code username_file}, {@code password_file}), for the log
     * at load: a file that does not exist or cannot be read now (probes answer {@code pg_up 0} until it can), or whose
     * permissions are wider than {@code 0600}. Never reads a file's content.
     *
     * @param config the loaded modules
     * @return one message per problem, naming the module, the key and the path
     */
    public static List<String> fileWarnings(AuthConfig config) {
        List<String> warnings = new ArrayList<>();
        config.modules().forEach((name, module) -> {
            switch (module.credentials()) {
                case Credentials.UserPass userPass -> {
                    userPass.usernameFile().ifPresent(f -> fileWarning(name, "username_file", f).ifPresent(warnings::add));
                    userPass.passwordFile().ifPresent(f -> fileWarning(name, "password_file", f).ifPresent(warnings::add));
                }
                case Credentials.Cert cert -> {
                    // Its files are checked at load (a missing one makes the file invalid) and by ClientCertificates.
                }
            }
        });
        return List.copyOf(warnings);
    }

    /**
     * Every warning about the modules for the log at load: {@link #fileWarnings} and each module that lets its
     * password go in clear text ({@code require_auth} naming {@code password}) without {@code sslmode}
     * {@code verify-ca} or {@code verify-full}, since a server that asks for it then receives it.
     *
     * @param config the loaded modules
     * @return one message per problem; never a secret
     */
    public static List<String> securityWarnings(AuthConfig config) {
        List<String> warnings = new ArrayList<>();
        config.modules().forEach((name, module) -> {
            String requireAuth = module.options().getOrDefault("require_auth", "");
            String mode = module.options().getOrDefault("sslmode", "prefer");
            if (List.of(requireAuth.split(",")).contains("password") && !mode.startsWith("verify-")) {
                warnings.add("auth module " + Problems.quote(name) + ": require_auth allows the cleartext method "
                             + "\"password\" without sslmode verify-ca or verify-full: any server reached with this "
                             + "module that asks for the password in clear text receives it");
            }
        });
        warnings.addAll(fileWarnings(config));
        return List.copyOf(warnings);
    }

    private static Optional<String> fileWarning(String module, String key, Path file) {
        String what = "auth module " + Problems.quote(module) + ": " + key + " " + file;
        if (!Files.exists(file)) {
            return Optional.of(what + " does not exist: probes with this module answer pg_up 0 until it does");
        }
        if (!Files.isReadable(file)) {
            return Optional.of(what + " is not readable: probes with this module answer pg_up 0 until it is");
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> wider = EnumSet.noneOf(PosixFilePermission.class);
            wider.addAll(permissions);
            wider.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            if (!wider.isEmpty()) {
                return Optional.of(what + " has permissions " + PosixFilePermissions.toString(permissions)
                                   + ", wider than rw------- (0600): make it readable by the exporter's user only");
            }
        } catch (UnsupportedOperationException | IOException | SecurityException e) {
            // No POSIX permissions to judge here.
        }
        return Optional.empty();
    }

    /** Option names whose values are secrets (libpq {@code password}, {@code sslpassword}), in any case. */
    static boolean isSecretOption(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.equals("password") || lower.equals("sslpassword");
    }

    private static String logfmtValue(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c != '\\');
        return plain ? value : Problems.quote(value, Integer.MAX_VALUE);
    }

    /** The file's text; empty with no problem recorded if the file does not exist. */
    static Optional<String> read(Path file, Problems problems) {
        if (Files.isDirectory(file)) {
            problems.add("", "is a directory, not a file");
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            problems.add("", "cannot read the file: permission denied");
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            problems.add("", "cannot read the file: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : ""));
            return Optional.empty();
        }
        if (bytes.length > MAX_BYTES) {
            problems.add("", "file is larger than " + MAX_BYTES / 1024 + " KiB");
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            problems.add("", "file is not valid UTF-8 text");
            return Optional.empty();
        }
    }
}
