package io.pgvigil.connect;

/**
 * A PostgreSQL server version as {@code server_version_num} reports it (e.g. {@code 170005}).
 *
 * @param number the {@code server_version_num} value
 */
public record ServerVersion(int number) implements Comparable<ServerVersion> {
    public ServerVersion {
        if (number < 100000) {
            throw new IllegalArgumentException("unsupported server_version_num " + number + " (PostgreSQL 10 or newer is required)");
        }
    }

    /** @return the major version, e.g. {@code 17} */
    public int major() {
        return number / 10000;
    }

    /** @return the minor version, e.g. {@code 5} */
    public int minor() {
        return number % 10000;
    }

    /** @return the version as upstream's {@code short_version} label renders it, e.g. {@code 17.5.0} */
    public String semver() {
        return major() + "." + minor() + ".0";
    }

    @Override
    public int compareTo(ServerVersion o) {
        return Integer.compare(number, o.number);
    }

    @Override
    public String toString() {
        return semver();
    }
}
