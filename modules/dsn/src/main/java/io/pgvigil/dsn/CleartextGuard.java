package io.pgvigil.dsn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rule that keeps a {@linkplain Secret#guarded stored password} from being sent in clear text (libpq
 * authentication method {@code password}) to a server that merely answers on the target's address: whoever can reach
 * {@code /probe} chooses the target. Enforced by pgjdbc's {@code requireAuth}, which refuses the method before the
 * password is touched.
 */
final class CleartextGuard {
    private static final List<String> VERIFYING = List.of("verify-ca", "verify-full");

    private CleartextGuard() {
    }

    /**
     * Whether an auth module lets its stored password go in clear text: its own {@code require_auth} names
     * {@code password}, or its own {@code sslmode} verifies the server's certificate against a trust anchor the target
     * cannot replace (the module sets {@code sslrootcert}, or the target sets none). A target's parameters never
     * count: the target is chosen by whoever sends the request.
     */
    static boolean moduleAllows(Map<String, String> moduleOptions, Map<String, String> targetParameters) {
        if (namesPassword(moduleOptions.get("require_auth"))) {
            return true;
        }
        String mode = moduleOptions.get("sslmode");
        return mode != null && VERIFYING.contains(mode)
               && (moduleOptions.containsKey("sslrootcert") || !targetParameters.containsKey("sslrootcert"));
    }

    private static boolean namesPassword(String requireAuth) {
        return requireAuth != null && Arrays.asList(requireAuth.split(",")).contains("password");
    }

    /**
     * The {@code require_auth} a guarded password connects with: the given list without {@code password}, a negated
     * list with {@code !password} added, or {@code !password} alone.
     *
     * @param requireAuth the target's or module's {@code require_auth}, already validated
     * @return the restricted list; empty when the given list allows {@code password} only, so nothing is left
     */
    static Optional<String> restrict(Optional<String> requireAuth) {
        if (requireAuth.isEmpty()) {
            return Optional.of("!password");
        }
        List<String> methods = new ArrayList<>(Arrays.asList(requireAuth.get().split(",")));
        if (methods.getFirst().startsWith("!")) {
            if (!methods.contains("!password")) {
                methods.add("!password");
            }
        } else {
            methods.remove("password");
        }
        return methods.isEmpty() ? Optional.empty() : Optional.of(String.join(",", methods));
    }

    /** Why a connection with a guarded password is impossible, for a {@link TargetException}. */
    static String onlyPasswordAllowed() {
        return "require_auth allows only the cleartext method \"password\", which pgvigil never uses for an auth "
               + "module's password unless the module's options set sslmode verify-ca or verify-full, or name "
               + "\"password\" in require_auth";
    }
}
