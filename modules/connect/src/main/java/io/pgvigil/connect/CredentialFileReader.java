package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.CredentialFiles;
import io.pgvigil.dsn.TargetException;

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
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads an auth module's {@code username_file} and {@code password_file} for each new connection, so a rotated secret
 * is used by the next connection without a reload, and a file that went missing is never replaced by an old value.
 * Errors name the key and the path, never the content.
 */
final class CredentialFileReader {
    /** Largest credential file accepted: a password is short, and {@code /dev/zero} must not hang a scrape. */
    static final int MAX_BYTES = 64 * 1024;

    private CredentialFileReader() {
    }

    /**
     * @return {@code spec} with its credential files replaced by their contents; {@code spec} itself when it has none
     * @throws SQLException (SQLState {@code 28000}) when a file is missing, unreadable, not UTF-8, too large or empty
     */
    static ConnectionSpec resolve(ConnectionSpec spec) throws SQLException {
        CredentialFiles files = spec.credentialFiles();
        if (!files.any()) {
            return spec;
        }
        Optional<String> username = Optional.empty();
        if (files.usernameFile().isPresent()) {
            username = Optional.of(read(files.usernameFile().get(), "username_file"));
        }
        Optional<String> password = Optional.empty();
        if (files.passwordFile().isPresent()) {
            password = Optional.of(read(files.passwordFile().get(), "password_file"));
        }
        try {
            return spec.withFileContents(username, password);
        } catch (TargetException e) {
            throw failure("username_file", files.usernameFile().orElseThrow(), "the user name in it " + reason(e));
        }
    }

    /** The file's text without its trailing line ends (a Kubernetes secret or {@code echo > file} adds one). */
    static String read(Path file, String key) throws SQLException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw failure(key, file, "the file does not exist");
        } catch (AccessDeniedException e) {
            throw failure(key, file, "permission denied");
        } catch (IOException | SecurityException e) {
            throw failure(key, file, e.getClass().getSimpleName());
        }
        if (bytes.length > MAX_BYTES) {
            throw failure(key, file, "the file is larger than " + MAX_BYTES / 1024 + " KiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw failure(key, file, "the file is not UTF-8 text");
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            throw failure(key, file, "the file is empty");
        }
        return text.substring(0, end);
    }

    private static String reason(TargetException e) {
        String m = e.getMessage();
        int i = m.indexOf("must not");
        return i >= 0 ? m.substring(i) : "is invalid";
    }

    private static SQLException failure(String key, Path file, String why) {
        return new SQLException("cannot read " + key + " " + file + ": " + why, "28000");
    }
}
