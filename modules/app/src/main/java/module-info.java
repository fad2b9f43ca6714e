/** The pgvigil executable: command line, logging and wiring. */
module io.pgvigil.app {
    requires io.pgvigil.http;
    requires info.picocli;
    requires java.logging;
    requires java.management;
    opens io.pgvigil.app to info.picocli;
    exports io.pgvigil.app;
}
