import io.pgvigil.testkit.PgServer;

/**
 * Throwaway PostgreSQL for scripts/bench-probe: a private testkit server (SCRAM on 127.0.0.1, runs as root through
 * the testkit's user namespace), the demo role and database of the README demo, and a raised max_connections (the
 * reference exporter opens two sessions per probe; the scale run has 500 targets). Prints one line
 *   READY port=P version=V datadir=D superpass=S
 * and runs until SIGTERM/SIGINT, when the testkit stops the server and deletes its files.
 *
 * Run as a single source file with a JDK 25 and the testkit and pgjdbc jars on the class path:
 *   java -cp testkit.jar:postgresql.jar bench/BenchDatabase.java 15 1200
 */
public final class BenchDatabase {
    private BenchDatabase() {
    }

    public static void main(String[] args) throws InterruptedException {
        String major = args.length > 0 ? args[0] : "15";
        int maxConnections = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        PgServer pg = PgServer.start(major);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        pg.createRole("pgvigil_demo", "demo-password", "IN ROLE pg_monitor");
        pg.createDatabase("demo", "pgvigil_demo");
        pg.execute("demo", "CREATE TABLE IF NOT EXISTS orders(id serial PRIMARY KEY, amount numeric, created timestamptz DEFAULT now())");
        pg.execute("demo", "INSERT INTO orders(amount) SELECT random() * 100 FROM generate_series(1, 1000)");
        pg.execute("demo", "ANALYZE orders");
        if (maxConnections != 100) {
            pg.execute("postgres", "ALTER SYSTEM SET max_connections = " + maxConnections);
            pg.restart();
        }
        System.out.println("READY port=" + pg.port() + " version=" + pg.version() + " datadir=" + pg.dataDirectory()
                + " superpass=" + pg.superuserPassword());
        System.out.flush();
        Thread.currentThread().join();
    }
}
