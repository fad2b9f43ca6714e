package io.pgvigil.dsn;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code discovery:} of an auth module: whether {@code /discovery} lists every database of each server of the
 * module's {@code targets} instead of the servers themselves, which databases, and how long a server's list is kept.
 * Patterns are kept as written (so that two loads of the same file are equal) and are full-match Java regular
 * expressions; a database is listed when it matches an {@code include} pattern (or there is none) and no
 * {@code exclude} pattern.
 *
 * @param databases whether to list the databases of each server
 * @param include   patterns a database must match one of; empty for every database
 * @param exclude   patterns a database must match none of
 * @param refresh   how long a server's list is reused before PostgreSQL is asked again; positive
 */
public record DiscoveryOptions(boolean databases, List<String> include, List<String> exclude, Duration refresh) {
    /** The default refresh of a server's list of databases. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);
    /** No database discovery: {@code /discovery} lists the servers of {@code targets}. */
    public static final DiscoveryOptions SERVERS_ONLY = new DiscoveryOptions(false, List.of(), List.of(), DEFAULT_REFRESH);

    public DiscoveryOptions {
        include = List.copyOf(Objects.requireNonNull(include, "include"));
        exclude = List.copyOf(Objects.requireNonNull(exclude, "exclude"));
        Objects.requireNonNull(refresh, "refresh");
        if (refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("refresh must be positive");
        }
        include.forEach(DiscoveryOptions::compile);
        exclude.forEach(DiscoveryOptions::compile);
    }

    /**
     * Checks one pattern.
     *
     * @param regex a Java regular expression
     * @return the compiled pattern
     * @throws IllegalArgumentException when it is not a valid expression (the message names the position, not the
     *                                  whole text)
     */
    public static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), e);
        }
    }

    /** {@return the filter of database names, compiled once per call: use it for one list} */
    public Predicate<String> filter() {
        List<Pattern> in = include.stream().map(Pattern::compile).toList();
        List<Pattern> out = exclude.stream().map(Pattern::compile).toList();
        return name -> (in.isEmpty() || in.stream().anyMatch(p -> p.matcher(name).matches()))
                && out.stream().noneMatch(p -> p.matcher(name).matches());
    }
}
