package io.pgvigil.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A server a test scrapes, with the login role it scrapes as: what collector and exporter tests share. Most get it from
 * {@link #shared(String)} or {@link #shared(String, String, String)}: the {@link PgServer#shared(String) shared server}
 * of a major with a role that is a member of {@code pg_monitor} and has no other grant.
 *
 * <pre>{@code
 * MonitoredServer mon = MonitoredServer.shared("17");               // pgvigil_monitor, in pg_monitor
 * ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("postgres"));  // postgresql://pgvigil_monitor:…@127.0.0.1:<port>/postgres?sslmode=disable
 * mon.on(PgServer.sharedStandby("17")).dsn("postgres");            // the same role on the standby (replicated)
 * mon.asRole("pgvigil_plain").dsn("postgres");                     // another role, same password (the test creates it)
 * mon.withPassword("wrong").dsn("postgres");                       // the same role, a password it does not have
 * mon.target("postgres");                                          // 127.0.0.1:<port>/postgres, for /probe?target=
 * }</pre>
 *
 * @param server   the server
 * @param role     the login role
 * @param password the role's password; never in {@link #toString()}
 */
public record MonitoredServer(PgServer server, String role, String password) {

    /** {@link #majors()} for JUnit's {@code @MethodSource(MonitoredServer.MAJORS)} in a test parameterized by major. */
    public static final String MAJORS = "io.pgvigil.testkit.MonitoredServer#majors";
    /** The role of {@link #shared(String)}. */
    public static final String DEFAULT_ROLE = "pgvigil_monitor";
    /** The password of {@link #DEFAULT_ROLE}. */
    public static final String DEFAULT_PASSWORD = "mon-Pa55word";

    /** Checks that no component is null. */
    public MonitoredServer {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(password, "password");
    }

    /** The majors available to the suite, ascending; see {@link PgServer#majors()}. */
    public static List<String> majors() {
        return PgServer.majors();
    }

    /** The shared server of {@code major} with {@link #DEFAULT_ROLE} in {@code pg_monitor}. */
    public static MonitoredServer shared(String major) {
        return shared(major, DEFAULT_ROLE, DEFAULT_PASSWORD);
    }

    /**
     * The shared server of {@code major} with login role {@code role} ({@code password}) in {@code pg_monitor}, created
     * or, if it exists, given this password again ({@link PgServer#createRole(String, String, String...)}).
     */
    public static MonitoredServer shared(String major, String role, String password) {
        return create(PgServer.shared(major), role, password);
    }

    /**
     * {@code server}, shared or private (e.g. one the test restarts), with login role {@code role} ({@code password}) in
     * {@code pg_monitor}, created or given this password again.
     */
    public static MonitoredServer create(PgServer server, String role, String password) {
        server.createRole(role, password, "IN ROLE pg_monitor");
        return new MonitoredServer(server, role, password);
    }

    /** The same role on {@code other}, e.g. a standby of this server (roles are replicated to it). */
    public MonitoredServer on(PgServer other) {
        return new MonitoredServer(other, role, password);
    }

    /** Another role on the same server with the same password; the caller creates it. */
    public MonitoredServer asRole(String otherRole) {
        return new MonitoredServer(server, otherRole, password);
    }

    /** The same role on the same server with another password, e.g. a wrong one. */
    public MonitoredServer withPassword(String otherPassword) {
        return new MonitoredServer(server, role, otherPassword);
    }

    /**
     * A target for {@code /probe} without a database (the exporter's default applies): {@code 127.0.0.1:<port>}. No
     * credentials: they come from an auth module.
     */
    public String target() {
        return server.host() + ":" + server.port();
    }

    /** A target for {@code /probe} with a database: {@code 127.0.0.1:<port>/database}, as written (not encoded). */
    public String target(String database) {
        return target() + "/" + database;
    }

    /**
     * A URL data source name for {@code database} as this role, over TCP without TLS:
     * {@code postgresql://role:password@127.0.0.1:<port>/database?sslmode=disable} (role, password and database
     * percent-encoded).
     */
    public String dsn(String database) {
        return "postgresql://" + encode(role) + ":" + encode(password) + "@" + server.host() + ":" + server.port() + "/"
                + encode(database) + "?sslmode=disable";
    }

    @Override
    public String toString() {
        return "MonitoredServer[" + server + " as " + role + ", password ****]";
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    private static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
