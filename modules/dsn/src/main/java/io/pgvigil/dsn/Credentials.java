package io.pgvigil.dsn;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** How an auth module authenticates: {@code userpass} (a password, or files holding it) or {@code cert}; the type
 * is sealed so that a new kind (an IAM token, say) is handled everywhere it matters. */
public sealed interface Credentials permits Credentials.UserPass, Credentials.Cert {

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

    /**
     * {@code type: cert}: a user name and a client certificate, no password. The files are read (into memory) for
     * every new connection; the server certificate is always verified.
     *
     * @param username    the user (the certificate's common name, or a name {@code pg_ident.conf} maps it to), never
     *                    empty
     * @param sslcert     the client certificate file (PEM or DER, the chain may follow)
     * @param sslkey      its private key file (PEM or DER; PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1)
     * @param sslpassword the passphrase of an encrypted key, masked in {@code toString}
     * @param sslrootcert the CA certificates the server certificate must chain to, or {@code system} for the JDK's
     * @param sslmode     {@code verify-ca} or {@code verify-full}
     */
    record Cert(String username, String sslcert, String sslkey, Optional<Secret> sslpassword, String sslrootcert,
                String sslmode) implements Credentials {
        /** The modes a {@code cert} module accepts: those that verify the server certificate. */
        public static final List<String> SSLMODES = List.of("verify-ca", "verify-full");

        public Cert {
            for (var field : new String[][] {{"cert.username", username}, {"cert.sslcert", sslcert},
                    {"cert.sslkey", sslkey}, {"cert.sslrootcert", sslrootcert}}) {
                if (field[1] == null || field[1].isEmpty()) {
                    throw new IllegalArgumentException(field[0] + " must not be empty");
                }
            }
            Objects.requireNonNull(sslpassword, "sslpassword");
            if (!SSLMODES.contains(sslmode)) {
                throw new IllegalArgumentException("cert.sslmode must be verify-ca or verify-full");
            }
        }

        @Override
        public String type() {
            return "cert";
        }

        /** @return the libpq parameters this module sets on a target, the passphrase in clear (for the driver) */
        public Map<String, String> parameters() {
            Map<String, String> out = new TreeMap<>();
            out.put("sslcert", sslcert);
            out.put("sslkey", sslkey);
            out.put("sslrootcert", sslrootcert);
            out.put("sslmode", sslmode);
            sslpassword.ifPresent(p -> out.put("sslpassword", p.reveal()));
            return out;
        }

        @Override
        public String toString() {
            return "Cert[username=" + username + ", sslcert=" + sslcert + ", sslkey=" + sslkey + ", sslpassword="
                    + sslpassword.map(p -> Secret.MASK).orElse("(none)") + ", sslrootcert=" + sslrootcert
                    + ", sslmode=" + sslmode + "]";
        }
    }
}
