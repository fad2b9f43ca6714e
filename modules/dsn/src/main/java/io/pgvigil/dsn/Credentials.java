package io.pgvigil.dsn;

import java.nio.file.Path;
import java.util.Optional;

/** How an auth module authenticates. Only {@code userpass} exists today; the type is sealed so that
 * a new kind (client certificate, IAM token, password file) is handled everywhere it matters. */
public sealed interface Credentials permits Credentials.UserPass {

    /** The config file's {@code type} value for this kind. */
    String type();

    /**
     * {@code type: userpass}: a user name and a password, each written in the file or read from a file for every new
     * connection ({@code username_file}, {@code password_file}).
     *
     * @param username     the user, never empty unless {@code usernameFile} is set (then empty)
     * @param password     the password, masked in {@code toString}; empty when {@code passwordFile} is set (it
     *                     still carries whether the password is {@linkplain Secret#isGuarded guarded})
     * @param usernameFile the file holding the user name, exclusive with {@code username}
     * @param passwordFile the file holding the password, exclusive with a non-empty {@code password}
     */
    record UserPass(String username, Secret password, Optional<Path> usernameFile, Optional<Path> passwordFile)
            implements Credentials {
        public UserPass {
            if (username == null || usernameFile == null || passwordFile == null) {
                throw new IllegalArgumentException("userpass fields must not be null");
            }
            if (usernameFile.isPresent() != username.isEmpty()) {
                throw new IllegalArgumentException(usernameFile.isPresent()
                        ? "userpass.username and userpass.username_file are exclusive"
                        : "userpass.username must not be empty");
            }
            if (password == null) {
                throw new IllegalArgumentException("userpass.password must be set");
            }
            if (passwordFile.isPresent() && !password.isEmpty()) {
                throw new IllegalArgumentException("userpass.password and userpass.password_file are exclusive");
            }
        }

        /** A user name and a password written in the configuration. */
        public UserPass(String username, Secret password) {
            this(username, password, Optional.empty(), Optional.empty());
        }

        @Override
        public String type() {
            return "userpass";
        }

        @Override
        public String toString() {
            return "UserPass[username=" + usernameFile.map(f -> "file:" + f).orElse(username) + ", password="
                   + passwordFile.map(f -> "file:" + f).orElse(Secret.MASK) + "]";
        }
    }
}
