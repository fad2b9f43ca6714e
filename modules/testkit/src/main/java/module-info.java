/** Test support: starts real PostgreSQL servers (several majors) for the test suite, also as root. */
module io.pgvigil.testkit {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    exports io.pgvigil.testkit;
}
