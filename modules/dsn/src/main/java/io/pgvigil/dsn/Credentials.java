package io.pgvigil.dsn;

/** How an auth module authenticates. Only {@code userpass} exists today; the type is sealed so that
 * a new kind (client certificate, IAM token, password file) is handled everywhere it matters. */
public sealed interface Credentials permits Credentials.UserPass {

    /** The config file's {@code type} value for this kind. */
    String type();

    /**
     * {@code type: userpass}: a user name and a password.
     *
     * @param username the user, never empty
     * @param password the password, masked in {@code toString}
     */
    record UserPass(String username, Secret password) implements Credentials {
        public UserPass {
            if (username == null || username.isEmpty()) {
                throw new IllegalArgumentException("userpass.username must not be empty");
            }
            if (password == null) {
                throw new IllegalArgumentException("userpass.password must be set");
            }
        }

        @Override
        public String type() {
            return "userpass";
        }

        @Override
        public String toString() {
            return "UserPass[username=" + username + ", password=" + Secret.MASK + "]";
        }
    }
}
