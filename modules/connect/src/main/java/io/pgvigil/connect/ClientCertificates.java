package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;

import java.util.Map;
import java.util.Optional;

/**
 * A check of an auth module's client certificate when the config file is loaded, so that a wrong passphrase or a
 * key that is no key shows up in the log at once rather than at the first probe. The files are read again for every
 * new connection; this check changes nothing about that.
 */
public final class ClientCertificates {

    private ClientCertificates() {
    }

    /**
     * Reads the module's client certificate, key and {@code sslrootcert} as a connection would.
     *
     * @param module an auth module
     * @return why its client certificate cannot be used (file names and reasons, never contents or passphrase);
     *         empty when it can, or when the module has none
     */
    public static Optional<String> problem(AuthModule module) {
        Map<String, String> parameters;
        try {
            parameters = ConnectionSpec.parse("localhost").withAuthModule(module).parameters();
        } catch (RuntimeException e) {
            return Optional.empty(); // the config loader reports invalid options
        }
        if (!ClientTls.applies(parameters)) {
            return Optional.empty();
        }
        try {
            ClientTls.socketFactory(parameters);
            return Optional.empty();
        } catch (ClientKeys.KeyException e) {
            return Optional.of(e.getMessage());
        }
    }
}
