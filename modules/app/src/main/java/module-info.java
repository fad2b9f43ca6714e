/** The pgvigil executable: command line, logging and wiring. */
module io.pgvigil.app {
    requires io.pgvigil.http;
    requires io.pgvigil.collectors;
    requires info.picocli;
    requires java.logging;
    requires java.management;
    requires jdk.unsupported; // sun.misc.Signal for SIGHUP (reload) and a second SIGTERM
    opens io.pgvigil.app to info.picocli;
    exports io.pgvigil.app;
}
