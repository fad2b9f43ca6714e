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
import java.util.Locale;
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
        Objects.requireNonNull(file, "file");
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
        AuthConfig config = new AuthModulesMapper(problems).map(root);
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
            case Credentials.UserPass userPass -> out.append("type=").append(userPass.type())
                    .append(" user=").append(logfmtValue(userPass.username()));
        }
        StringJoiner options = new StringJoiner(",");
        module.options().forEach((key, value) -> options.add(key + "=" + (isSecretOption(key) ? Secret.MASK : value)));
        out.append(" options=").append(Problems.quote(options.toString(), Integer.MAX_VALUE));
        module.targets().ifPresent(targets -> out.append(" targets=").append(Problems.quote(
                String.join(",", targets.entries().stream().map(TargetAllowList.Entry::text).toList()), Integer.MAX_VALUE)));
        return out.toString();
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
