package io.pgvigil.dsn;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Files an auth module's user name and password are read from ({@code username_file}, {@code password_file}), for
 * every new connection, so that a rotated secret (a Kubernetes secret volume, a Vault agent) takes effect without a
 * reload. This module never reads them: the connection layer does, and then calls
 * {@link ConnectionSpec#withFileContents}. Paths may be logged; contents never.
 *
 * @param usernameFile    the file holding the user name
 * @param passwordFile    the file holding the password
 * @param guardedPassword whether the password read from {@code passwordFile} is {@linkplain Secret#guarded guarded}
 */
public record CredentialFiles(Optional<Path> usernameFile, Optional<Path> passwordFile, boolean guardedPassword) {
    /** No files: the credentials are in the specification itself. */
    public static final CredentialFiles NONE = new CredentialFiles(Optional.empty(), Optional.empty(), false);

    public CredentialFiles {
        Objects.requireNonNull(usernameFile, "usernameFile");
        Objects.requireNonNull(passwordFile, "passwordFile");
        guardedPassword = guardedPassword && passwordFile.isPresent();
    }

    /** {@return whether there is a file to read} */
    public boolean any() {
        return usernameFile.isPresent() || passwordFile.isPresent();
    }
}
