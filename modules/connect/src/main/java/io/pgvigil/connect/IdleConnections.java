package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ConnectionPool}'s idle connections: per target, most recently returned first (a lease reuses the
 * warmest), and over all, least recently returned first (the idle timeout, the cap and the per-server budget close the
 * coldest). Not thread-safe: used under the pool's lock.
 */
final class IdleConnections {
    private final Map<ConnectionSpec, ArrayDeque<PooledConnection>> byTarget = new HashMap<>();
    private final LinkedHashSet<PooledConnection> lru = new LinkedHashSet<>();

    int size() {
        return lru.size();
    }

    /** Keeps a connection given back {@code now}. */
    void add(PooledConnection c, long now) {
        c.idleSince = now;
        byTarget.computeIfAbsent(c.spec, k -> new ArrayDeque<>()).addFirst(c);
        lru.add(c);
    }

    /** @return the most recently returned idle connection of {@code spec}, taken out */
    Optional<PooledConnection> take(ConnectionSpec spec) {
        ArrayDeque<PooledConnection> entries = byTarget.get(spec);
        if (entries == null) {
            return Optional.empty();
        }
        PooledConnection c = entries.pollFirst();
        if (entries.isEmpty()) {
            byTarget.remove(spec);
        }
        if (c != null) {
            lru.remove(c);
        }
        return Optional.ofNullable(c);
    }

    /**
     * @param server a server's account, or empty for any server
     * @return the least recently returned idle connection (of that server), taken out
     */
    Optional<PooledConnection> takeOldest(Optional<ServerAccounts.Account> server) {
        for (PooledConnection c : lru) {
            if (server.isEmpty() || c.account == server.get()) {
                remove(c);
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** @return every idle connection of {@code spec}, taken out */
    List<PooledConnection> takeAll(ConnectionSpec spec) {
        ArrayDeque<PooledConnection> entries = byTarget.remove(spec);
        if (entries == null) {
            return List.of();
        }
        entries.forEach(lru::remove);
        return List.copyOf(entries);
    }

    /** @return every idle connection, taken out */
    List<PooledConnection> takeAll() {
        List<PooledConnection> all = List.copyOf(lru);
        lru.clear();
        byTarget.clear();
        return all;
    }

    /** @return the connections idle since {@code limitNanos} or longer at {@code now}, taken out */
    List<PooledConnection> takeExpired(long now, long limitNanos) {
        List<PooledConnection> expired = new ArrayList<>();
        for (PooledConnection c : lru) {
            if (now - c.idleSince < limitNanos) {
                break; // least recently returned first: the rest are younger
            }
            expired.add(c);
        }
        expired.forEach(this::remove);
        return expired;
    }

    /** @return how many idle connections each server has */
    Map<ServerAccounts.Account, Integer> perServer() {
        Map<ServerAccounts.Account, Integer> counts = new HashMap<>();
        for (PooledConnection c : lru) {
            counts.merge(c.account, 1, Integer::sum);
        }
        return counts;
    }

    private void remove(PooledConnection c) {
        lru.remove(c);
        ArrayDeque<PooledConnection> entries = byTarget.get(c.spec);
        if (entries != null) {
            entries.remove(c);
            if (entries.isEmpty()) {
                byTarget.remove(c.spec);
            }
        }
    }
}
