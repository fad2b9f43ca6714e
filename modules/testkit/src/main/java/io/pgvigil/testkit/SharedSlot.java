package io.pgvigil.testkit;

import java.util.function.Supplier;

/** Starts one shared server once, on first use, and remembers a failure to report it again. */
final class SharedSlot {
    private final String what;
    private final Supplier<PgServer> starter;
    private PgServer server;
    private RuntimeException failure;

    SharedSlot(String what, Supplier<PgServer> starter) {
        this.what = what;
        this.starter = starter;
    }

    synchronized PgServer get() {
        if (server != null) {
            return server;
        }
        if (failure != null) {
            throw new IllegalStateException("the shared " + what + " failed to start earlier in this JVM", failure);
        }
        try {
            server = starter.get();
            return server;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }
}
