package io.pgvigil.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a custom-queries file ({@code --extend.query-path}) in upstream's {@code queries.yaml} format. Lenient
 * where upstream is (unknown keys are ignored, an unknown {@code usage} is {@code DISCARD}), strict where upstream
 * fails or would build invalid metrics (a value of the wrong kind, a metric or label name Prometheus refuses, a
 * version range that does not parse): every such problem names the file, the key path and the line.
 */
public final class UserQueriesLoader {
    private UserQueriesLoader() {
    }

    /**
     * Reads and validates the file; never throws for a problem with it.
     *
     * @param file the file, as given on the command line
     * @return the namespaces, or every problem found
     */
    public static UserQueriesResult load(Path file) {
        Objects.requireNonNull(file, "file");
        Problems problems = new Problems(file);
        Optional<String> text = ConfigLoader.read(file, problems);
        if (text.isEmpty()) {
            if (problems.isEmpty()) {
                problems.add("", "file not found");
            }
            return new UserQueriesResult.Failed(file, "", problems.messages());
        }
        String sha256 = sha256(text.get());
        Optional<Node> root = YamlDocument.parse(text.get(), problems);
        if (!problems.isEmpty()) {
            return new UserQueriesResult.Failed(file, sha256, problems.messages());
        }
        UserQueriesMapper mapper = new UserQueriesMapper(problems);
        var namespaces = mapper.map(root);
        if (!problems.isEmpty()) {
            return new UserQueriesResult.Failed(file, sha256, problems.messages());
        }
        return new UserQueriesResult.Loaded(new UserQueriesFile(file, sha256, namespaces, mapper.warnings()));
    }

    /** The SHA-256 of the file's bytes: the text was decoded strictly from UTF-8, so encoding it again gives them back. */
    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
