package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;

/**
 * The PostgreSQL majors something exists on: a view column, a family, a branch of a collector. The one way
 * collectors gate on the server version besides choosing a statement ({@link VersionedSql}), so that a reader finds
 * every such rule by looking for {@code Majors} (and never for a hand-written {@code major() >= 13}).
 *
 * @param since the first major it exists on ({@code 0}: every supported major)
 * @param until the first major it is gone from ({@code 0}: still there in the newest)
 */
record Majors(int since, int until) {
    /** Every supported major. */
    static final Majors ALL = new Majors(0, 0);

    Majors {
        if (since < 0 || until < 0 || (until != 0 && until <= since)) {
            throw new IllegalArgumentException("no major from " + since + " until " + until);
        }
    }

    /** @return from {@code major} on */
    static Majors since(int major) {
        return new Majors(major, 0);
    }

    /** @return before {@code major} only: {@code major} is the first it is gone from */
    static Majors until(int major) {
        return new Majors(0, major);
    }

    /** @return whether this server's major is in the range */
    boolean contains(ServerVersion version) {
        int major = version.major();
        return major >= since && (until == 0 || major < until);
    }
}
