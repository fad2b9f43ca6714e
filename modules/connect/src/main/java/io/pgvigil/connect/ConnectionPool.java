package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps connections between scrapes, keyed by the whole {@link ConnectionSpec} (target, credentials and
 * options: changed credentials simply stop matching, and the old connections age out as idle) except its
 * {@linkplain ConnectionSpec#connectionBudget() budget}.
 * <ul>
 *   <li>At most a budget of connections is open to one server ({@link ConnectionSpec#server()}) at any time: the
 *       lease's own {@code connection_budget}, else {@link PoolOptions#serverBudget()}; a share is taken of the slots
 *       the server reported on the last connection opened to it (1 until then). A lease for a server at its budget
 *       closes the server's least recently used idle connection and opens its own (a rotation); when none is idle it
 *       waits, first come first served with the other leases of that server, until its deadline, and then gets an
 *       {@link SQLException} (SQLSTATE 53300). A connection given back while its server holds more than its budget
 *       (the budget shrank) is closed.</li>
 *   <li>A returned connection is kept unless it was retired or is closed; it is closed after
 *       {@link PoolOptions#idleTimeout()} without use.</li>
 *   <li>At most {@link PoolOptions#maxOpen()} connections are open or being opened at any time. When the cap is
 *       reached, the least recently used idle connection (of any target) is closed to make room; when none is
 *       idle, the caller waits until its deadline and then gets an {@link SQLException}.</li>
 *   <li>Connection set-up (including version detection) runs inside the caller's deadline; a set-up that misses
 *       it is abandoned and closed when it completes, still counted against the cap until then.</li>
 * </ul>
 * Thread-safe. Package-private: the rest of pgvigil sees it as a {@link PooledSource}.
 */
final class ConnectionPool implements PooledSource {
    private final PoolOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final ServerAccounts accounts = new ServerAccounts();
    private final Condition changed = lock.newCondition();
    private final IdleConnections idle = new IdleConnections();
    /** Connections open, in use or being opened; never above the cap. */
    private int open;
    private boolean closed;

    private final ExecutorService connector = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService reaper;

    private final LongAdder opened = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private final LongAdder evictedIdle = new LongAdder();
    private final LongAdder evictedLru = new LongAdder();
    private final LongAdder retired = new LongAdder();
    private final LongAdder capWaits = new LongAdder();
    private final LongAdder capTimeouts = new LongAdder();
    private final LongAdder connectTimeouts = new LongAdder();
    private final LongAdder retiredByReload = new LongAdder();
    /** Raised by {@link #retireAll()}; connections of an older generation are not kept. */
    private volatile long generation;

    ConnectionPool(PoolOptions options) {
        this.options = options;
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgvigil-idle-connections");
            t.setDaemon(true);
            return t;
        });
        long period = Math.clamp(options.idleTimeout().toMillis() / 4, 50, 15_000);
        reaper.scheduleWithFixedDelay(this::evictIdle, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public PoolOptions options() {
        return options;
    }

    @Override
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(options.maxOpen(), open, idle.size(), opened.sum(), reused.sum(), evictedIdle.sum(),
                             evictedLru.sum(), retired.sum(), capWaits.sum(), capTimeouts.sum(), connectTimeouts.sum(),
                             retiredByReload.sum());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ServerStats> servers() {
        lock.lock();
        try {
            return accounts.stats(idle.perServer());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Lease lease(ConnectionSpec spec, long deadlineNanos) throws SQLException {
        ConnectionSpec key = spec.withoutConnectionBudget();
        ConnectionBudget budget = spec.connectionBudget().orElse(options.serverBudget());
        List<Connection> toClose = new ArrayList<>();
        Optional<PooledConnection> kept = Optional.empty();
        ServerAccounts.Account account;
        Object ticket = null;
        boolean waitedForCap = false;
        boolean waitedForServer = false;
        lock.lock();
        try {
            account = accounts.of(spec.server(), System.nanoTime());
            try {
                while (true) {
                    if (closed) {
                        throw new SQLException("the connection pool is closed", "08003");
                    }
                    // Queued behind other leases of the server, or the server at its budget: waiting for the server.
                    boolean forServer = !account.turnOf(ticket);
                    if (!forServer) {
                        kept = idle.take(key);
                        if (kept.isPresent()) {
                            break;
                        }
                        forServer = account.open >= account.apply(budget);
                        if (!forServer && open < options.maxOpen()) {
                            open++;
                            account.open++;
                            break;
                        }
                        Optional<PooledConnection> oldest = idle.takeOldest(forServer ? Optional.of(account) : Optional.empty());
                        if (oldest.isPresent()) {
                            PooledConnection victim = oldest.get();
                            open--;
                            victim.account.open--;
                            if (forServer) {
                                account.rotations++;
                            } else {
                                evictedLru.increment();
                            }
                            toClose.add(victim.connection);
                            continue;
                        }
                    }
                    long wait = deadlineNanos - System.nanoTime();
                    if (wait <= 0) {
                        throw full(account, forServer, waitedForCap);
                    }
                    if (ticket == null) {
                        ticket = new Object();
                        account.queue.addLast(ticket);
                    }
                    if (forServer && !waitedForServer) {
                        waitedForServer = true;
                        account.waits++;
                    } else if (!forServer && !waitedForCap) {
                        waitedForCap = true;
                        capWaits.increment();
                    }
                    changed.awaitNanos(wait);
                }
            } finally {
                if (ticket != null) {
                    account.queue.remove(ticket);
                    changed.signalAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection", "08001", e);
        } finally {
            lock.unlock();
            closeAll(toClose);
        }
        if (kept.isPresent()) {
            reused.increment();
            return new PooledLease(kept.get(), true);
        }
        return new PooledLease(connect(key, account, deadlineNanos), false);
    }

    /** The error of a lease that reached its deadline waiting; counts it. Call with the lock held. */
    private SQLException full(ServerAccounts.Account account, boolean forServer, boolean waitedForCap) {
        if (forServer) {
            account.timeouts++;
            return new SQLException("no free connection to server " + account.server + ": its budget of " + account.budget
                                    + " connection(s) (--connection.server-budget, or the auth module's connection_budget)"
                                    + " is in use, and none became free for this scrape before its deadline", "53300");
        }
        if (waitedForCap) {
            capTimeouts.increment();
        }
        return new SQLException("no free connection: all " + options.maxOpen() + " connections allowed by "
                                + "--connection.max-open are in use, none became free before the scrape deadline", "53300");
    }

    /** Opens a connection for a slot already reserved; frees the slot when it fails. */
    private PooledConnection connect(ConnectionSpec spec, ServerAccounts.Account account, long deadlineNanos) throws SQLException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            freeSlot(account);
            connectTimeouts.increment();
            throw new SQLException("the scrape deadline passed before the connection could be opened", "08001");
        }
        CompletableFuture<PooledConnection> setUp = CompletableFuture.supplyAsync(() -> {
            try {
                Connection c = SessionDefaults.open(spec, options.lockTimeout());
                try {
                    return new PooledConnection(spec, account, c, ServerInfo.detect(c), generation);
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, connector);
        try {
            PooledConnection entry = setUp.get(remaining, TimeUnit.NANOSECONDS);
            opened.increment();
            lock.lock();
            try {
                account.learn(entry.server);
            } finally {
                lock.unlock();
            }
            return entry;
        } catch (TimeoutException e) {
            connectTimeouts.increment();
            // The slot stays taken until the abandoned set-up ends, so the cap holds.
            setUp.whenComplete((entry, error) -> {
                if (entry != null) {
                    closeQuietly(entry.connection);
                }
                freeSlot(account);
            });
            throw new SQLException("connection set-up did not finish before the scrape deadline", "08001");
        } catch (ExecutionException e) {
            freeSlot(account);
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("connection set-up failed: " + cause, "08001", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            setUp.whenComplete((entry, error) -> {
                if (entry != null) {
                    closeQuietly(entry.connection);
                }
                freeSlot(account);
            });
            throw new SQLException("interrupted while connecting", "08001", e);
        }
    }

    private void freeSlot(ServerAccounts.Account account) {
        lock.lock();
        try {
            open--;
            account.open--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void giveBack(PooledConnection entry, boolean broken) {
        List<Connection> toClose = new ArrayList<>();
        boolean dead = broken || ConnectionErrors.isClosed(entry.connection);
        lock.lock();
        try {
            if (!dead && !closed && entry.generation != generation) {
                open--;
                entry.account.open--;
                retiredByReload.increment();
                toClose.add(entry.connection);
            } else if (dead || closed || entry.account.over()) {
                open--;
                entry.account.open--;
                toClose.add(entry.connection);
                if (!dead && !closed) {
                    entry.account.rotations++;
                }
                if (dead) {
                    retired.increment();
                    // A connection that broke usually means the server went away: its idle siblings went with it.
                    for (PooledConnection sibling : idle.takeAll(entry.spec)) {
                        open--;
                        sibling.account.open--;
                        retired.increment();
                        toClose.add(sibling.connection);
                    }
                }
            } else {
                idle.add(entry, System.nanoTime());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
            closeAll(toClose);
        }
    }

    @Override
    public void retireAll() {
        List<Connection> toClose = new ArrayList<>();
        lock.lock();
        try {
            generation++;
            retiredByReload.add(drainIdle(toClose));
        } finally {
            lock.unlock();
            closeAll(toClose);
        }
    }

    /** Takes every idle connection out of the pool into {@code toClose}; call with the lock held. @return how many */
    private int drainIdle(List<Connection> toClose) {
        List<PooledConnection> all = idle.takeAll();
        for (PooledConnection c : all) {
            toClose.add(c.connection);
            c.account.open--;
        }
        open -= all.size();
        changed.signalAll();
        return all.size();
    }

    /** Closes connections idle longer than the idle timeout (run periodically). */
    void evictIdle() {
        List<Connection> toClose = new ArrayList<>();
        long now = System.nanoTime();
        long limit = options.idleTimeout().toNanos();
        lock.lock();
        try {
            for (PooledConnection e : idle.takeExpired(now, limit)) {
                open--;
                e.account.open--;
                evictedIdle.increment();
                toClose.add(e.connection);
            }
            if (!toClose.isEmpty()) {
                changed.signalAll();
            }
            accounts.forget(now, limit);
        } finally {
            lock.unlock();
            closeAll(toClose);
        }
    }

    @Override
    public void close() {
        List<Connection> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            drainIdle(toClose);
        } finally {
            lock.unlock();
        }
        closeAll(toClose);
        reaper.shutdownNow();
        connector.shutdown();
    }

    private static void closeAll(List<Connection> connections) {
        connections.forEach(ConnectionPool::closeQuietly);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // Closing a broken connection may fail; it is gone either way.
        }
    }

    private final class PooledLease implements Lease {
        private final PooledConnection entry;
        private final boolean wasReused;
        private final AtomicBoolean returned = new AtomicBoolean();
        private volatile boolean broken;

        PooledLease(PooledConnection entry, boolean wasReused) {
            this.entry = entry;
            this.wasReused = wasReused;
        }

        @Override
        public Connection connection() {
            return entry.connection;
        }

        @Override
        public ServerInfo server() {
            return entry.server;
        }

        @Override
        public boolean reused() {
            return wasReused;
        }

        @Override
        public void retire() {
            broken = true;
        }

        @Override
        public void close() {
            if (returned.compareAndSet(false, true)) {
                giveBack(entry, broken);
            }
        }
    }
}
