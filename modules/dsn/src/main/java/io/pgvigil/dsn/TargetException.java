package io.pgvigil.dsn;

import java.io.Serial;

/**
 * A target, or an auth module merged into it, cannot be used. The message is safe to return in an
 * HTTP 400 body and to log: it names the offending part or parameter and what is wrong with it, and
 * never contains a password or the target text itself.
 */
public final class TargetException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong; must not contain secrets or the raw target
     */
    public TargetException(String message) {
        super(message);
    }

    /** {@code invalid target: <detail>}. */
    static TargetException invalid(String detail) {
        return new TargetException("invalid target: " + detail);
    }
}
