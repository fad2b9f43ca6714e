package io.pgvigil.collectors;

/**
 * One column of a statistics view and the family it feeds: the SQL names the column {@code name}, and the family
 * is a collector's prefix plus {@code name} ({@link Columns#declare}). A column that exists on some majors only
 * says so with {@link #since} or {@link #until}, and is then neither declared nor read on the others:
 * <pre>{@code
 * Column.counter("buffers_backend_total", "Number of buffers written directly by a backend").until(17)
 * }</pre>
 *
 * @param name   the column's name in the SQL, and the family's name after the prefix
 * @param type   counter or gauge
 * @param help   the family's help text
 * @param majors the majors the column exists on
 */
record Column(String name, Family.Type type, String help, Majors majors) {

    static Column counter(String name, String help) {
        return new Column(name, Family.Type.COUNTER, help, Majors.ALL);
    }

    static Column gauge(String name, String help) {
        return new Column(name, Family.Type.GAUGE, help, Majors.ALL);
    }

    /** @return this column, present from {@code major} on */
    Column since(int major) {
        return new Column(name, type, help, new Majors(major, majors.until()));
    }

    /** @return this column, present only before {@code major} (the first major it is gone from) */
    Column until(int major) {
        return new Column(name, type, help, new Majors(majors.since(), major));
    }
}
