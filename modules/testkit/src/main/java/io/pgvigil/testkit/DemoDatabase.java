package io.pgvigil.testkit;

import java.util.List;

/**
 * Starts a throwaway PostgreSQL for the README demo, creates a monitoring role and a small database with
 * some activity, prints one {@code READY ...} line for the demo script and runs until it is stopped
 * (SIGTERM or SIGINT), when the server is stopped and its files deleted.
 */
public final class DemoDatabase {
    private DemoDatabase() {
    }

    /**
     * @param args optional: the major to start (default: the newest available)
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        List<String> majors = PgServer.majors();
        String major = args.length > 0 ? args[0] : majors.getLast();
        PgServer pg = PgServer.shared(major);
        pg.createRole("pgvigil_demo", "demo-password", "IN ROLE pg_monitor");
        pg.createDatabase("demo", "pgvigil_demo");
        pg.execute("demo", "CREATE TABLE IF NOT EXISTS orders(id serial PRIMARY KEY, amount numeric, created timestamptz DEFAULT now())");
        pg.execute("demo", "INSERT INTO orders(amount) SELECT random() * 100 FROM generate_series(1, 1000)");
        pg.execute("demo", "ANALYZE orders");
        System.out.println("READY port=" + pg.port() + " version=" + pg.version()
                           + " user=pgvigil_demo password=demo-password database=demo");
        System.out.flush();
        Thread.currentThread().join();
    }
}
