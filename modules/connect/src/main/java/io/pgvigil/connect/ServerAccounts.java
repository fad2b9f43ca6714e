package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionBudget;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The {@link ConnectionPool}'s books per server: how many connections each holds, its budget as last applied, what it
 * reported about its slots, the queue of leases waiting for it, and its counters. Not thread-safe: every method is
 * called with the pool's lock held.
 *
 * <p>A server is named by {@link io.pgvigil.dsn.ConnectionSpec#server()} (its endpoints as written). A server with no
 * connection, nobody waiting and no lease for {@code forgetAfter} is forgotten, so the books (and the self-metrics
 * drawn from them) stay bounded by the servers in use.
 */
final class ServerAccounts {
    private final Map<String, Account> accounts = new HashMap<>();

    /** One server's account. */
    static final class Account {
        final String server;
        /** Connections to this server open: in use, idle, being opened or being closed. */
        int open;
        /** Slots the server reported on the last connection opened to it; empty until one was. */
        OptionalInt available = OptionalInt.empty();
        /** The budget the last lease applied, and what it came to (1 until one did). */
        ConnectionBudget applied = ConnectionBudget.DEFAULT;
        int budget = 1;
        long lastUsed;
        /** Leases of this server in progress (waiting, closing or opening): it is not forgotten meanwhile. */
        int leasing;
        /** Leases waiting for this server, first come first served. */
        final ArrayDeque<Object> queue = new ArrayDeque<>();
        long rotations;
        long waits;
        long timeouts;

        private Account(String server) {
            this.server = server;
        }

        /** @return the budget {@code budget} gives this server now; remembered for the self-metrics */
        int apply(ConnectionBudget budget) {
            this.applied = budget;
            this.budget = budget.connections(available);
            return this.budget;
        }

        /** Takes in what a new connection reported; a budget share follows the server's size from then on. */
        void learn(ServerInfo info) {
            info.slots().ifPresent(s -> available = OptionalInt.of(s.available()));
            budget = applied.connections(available);
        }

        /** @return whether this server holds more connections than its budget (it shrank), so one given back is closed */
        boolean over() {
            return open > budget;
        }
    }

    /** A lease's place in its server's queue (first come, first served), and which waits it counted already. */
    static final class Turn {
        final Account account;
        private Object ticket;
        boolean waitedForCap;
        boolean waitedForServer;

        Turn(Account account) {
            this.account = account;
        }

        /** @return whether this lease may go ahead of the others of its server: none queued, or it is first */
        boolean first() {
            return account.queue.isEmpty() || account.queue.peekFirst() == ticket;
        }

        /** Takes a place at the end of the queue, unless it has one: kept while it waits or closes a connection. */
        void queue() {
            if (ticket == null) {
                ticket = new Object();
                account.queue.addLast(ticket);
            }
        }

        /** @return whether it gave a place up (the next lease of the server may then go) */
        boolean leave() {
            if (ticket == null) {
                return false;
            }
            account.queue.remove(ticket);
            ticket = null;
            return true;
        }
    }

    /** @return the account of {@code server}, opened when it has none, marked as used {@code now} */
    Account of(String server, long now) {
        Account account = accounts.computeIfAbsent(server, Account::new);
        account.lastUsed = now;
        return account;
    }

    /** Forgets servers with no connection and no lease in progress that were not leased for {@code forgetAfterNanos}. */
    void forget(long now, long forgetAfterNanos) {
        accounts.values().removeIf(a -> a.open == 0 && a.leasing == 0 && now - a.lastUsed >= forgetAfterNanos);
    }

    /**
     * @param idle the idle connections per account
     * @return every server's figures, sorted by server
     */
    List<PooledSource.ServerStats> stats(Map<Account, Integer> idle) {
        List<PooledSource.ServerStats> out = new ArrayList<>(accounts.size());
        for (Account a : accounts.values()) {
            out.add(new PooledSource.ServerStats(a.server, a.budget, a.open, idle.getOrDefault(a, 0), a.rotations, a.waits,
                                                 a.timeouts));
        }
        out.sort(java.util.Comparator.comparing(PooledSource.ServerStats::server));
        return out;
    }
}
