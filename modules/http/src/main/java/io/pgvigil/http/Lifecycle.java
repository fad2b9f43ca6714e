package io.pgvigil.http;

/**
 * What the operational endpoints ({@code /-/ready}, {@code /-/reload}) ask the rest of the exporter.
 * Implemented by the application; neither method may touch a database.
 */
public interface Lifecycle {

    /** A lifecycle that is always ready and has nothing to reload (for tests and embedding). */
    Lifecycle STATIC = new Lifecycle() {
        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public ReloadOutcome reload() {
            return new ReloadOutcome(false, "reload is not supported");
        }
    };

    /** {@return whether the configuration is loaded and the server accepts requests (not stopping)} */
    boolean ready();

    /**
     * Re-reads the configuration files; on any error the configuration in force stays as it was.
     *
     * @return the outcome, whose message is safe to send to the client (never a secret)
     */
    ReloadOutcome reload();

    /**
     * Called once the answer to a reload has been sent (for a signal, right after {@link #reload()}): what a reload
     * cannot do while its own request is being served (e.g. restart the listeners) starts here. Does nothing by
     * default.
     */
    default void reloadAnswered() {
    }

    /**
     * The result of a reload.
     *
     * @param successful whether the new configuration is now in force
     * @param message    one line for the HTTP client and the log, without secrets
     */
    record ReloadOutcome(boolean successful, String message) {
    }
}
