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
 *       closes the server's least recently used idle connection and opens its own in that slot (a rotation; the
 *       server's next lease need not wait for that close, so rotations overlap); when none is idle it
 *       waits, first come first served with the other leases of that server, until its deadline, and then gets an
 *       {@link SQLException} (SQLSTATE 53300). A connection given back while its server holds more than its budget
 *       (the budget shrank) is closed. A closed connection counts against its server and the cap until its close
 *       returned, which waits for the backend to exit ({@link SessionSocket}).</li>
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
        ServerAccounts.Account account;
        lock.lock();
        try {
            account = accounts.of(spec.server(), System.nanoTime());
            account.leasing++;
        } finally {
            lock.unlock();
        }
        ServerAccounts.Turn turn = new ServerAccounts.Turn(account);
        try {
            while (true) {
                Step step = step(key, budget, turn, deadlineNanos);
                switch (step) {
                    case Step.Reuse(PooledConnection kept) -> {
                        reused.increment();
                        return new PooledLease(kept, true);
                    }
                    case Step.Open() -> {
                        return new PooledLease(connect(key, account, deadlineNanos), false);
                    }
                    // Closed before the next try, outside the lock: its slot is free once its backend has exited.
                    case Step.Close(PooledConnection victim) -> release(List.of(victim));
                    // The victim's slot is this lease's now: closed first (its backend gone), then ours opens in it.
                    // The queue has moved on meanwhile, so the server's rotations wait for their backends in parallel.
                    case Step.Rotate(PooledConnection victim) -> {
                        closeQuietly(victim.connection);
                        return new PooledLease(connect(key, account, deadlineNanos), false);
                    }
                }
            }
        } finally {
            lock.lock();
            try {
                account.leasing--;
                leave(turn);
            } finally {
                lock.unlock();
            }
        }
    }

    /** A lease's next step: reuse, open in a reserved slot, close for the cap, or rotate within the budget. */
    private sealed interface Step {
        record Reuse(PooledConnection kept) implements Step {
        }

        record Open() implements Step {
        }

        record Close(PooledConnection victim) implements Step {
        }

        record Rotate(PooledConnection victim) implements Step {
        }
    }

    /** Decides a lease's next step under the lock, waiting until its deadline when it can do nothing yet. */
    private Step step(ConnectionSpec key, ConnectionBudget budget, ServerAccounts.Turn turn, long deadlineNanos)
            throws SQLException {
        ServerAccounts.Account account = turn.account;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new SQLException("the connection pool is closed", "08003");
                }
                // Queued behind other leases of the server, or the server at its budget: waiting for the server.
                boolean forServer = !turn.first();
                if (!forServer) {
                    Optional<PooledConnection> kept = idle.take(key);
                    if (kept.isPresent()) {
                        leave(turn);
                        return new Step.Reuse(kept.get());
                    }
                    forServer = account.open >= account.apply(budget);
                    if (!forServer && open < options.maxOpen()) {
                        open++;
                        account.open++;
                        leave(turn);
                        return new Step.Open();
                    }
                    Optional<PooledConnection> oldest = idle.takeOldest(forServer ? Optional.of(account) : Optional.empty());
                    if (oldest.isPresent() && forServer) {
                        account.rotations++;
                        leave(turn);
                        return new Step.Rotate(oldest.get());
                    }
                    if (oldest.isPresent()) {
                        evictedLru.increment();
                        turn.queue();
                        return new Step.Close(oldest.get());
                    }
                }
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0) {
                    throw full(account, forServer, turn.waitedForCap);
                }
                turn.queue();
                if (forServer && !turn.waitedForServer) {
                    turn.waitedForServer = true;
                    account.waits++;
                } else if (!forServer && !turn.waitedForCap) {
                    turn.waitedForCap = true;
                    capWaits.increment();
                }
                changed.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection", "08001", e);
        } finally {
            lock.unlock();
        }
    }

    /** Gives a lease's place in its server's queue up, so that the next may go. Call with the lock held. */
    private void leave(ServerAccounts.Turn turn) {
        if (turn.leave()) {
            changed.signalAll();
        }
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
        List<PooledConnection> gone = new ArrayList<>();
        boolean dead = broken || ConnectionErrors.isClosed(entry.connection);
        lock.lock();
        try {
            if (!dead && !closed && entry.generation != generation) {
                retiredByReload.increment();
                gone.add(entry);
            } else if (dead || closed || entry.account.over()) {
                gone.add(entry);
                if (!dead && !closed) {
                    entry.account.rotations++;
                }
                if (dead) {
                    retired.increment();
                    // A connection that broke usually means the server went away: its idle siblings went with it.
                    List<PooledConnection> siblings = idle.takeAll(entry.spec);
                    retired.add(siblings.size());
                    gone.addAll(siblings);
                }
            } else {
                idle.add(entry, System.nanoTime());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
            release(gone);
        }
    }

    @Override
    public void retireAll() {
        List<PooledConnection> gone;
        lock.lock();
        try {
            generation++;
            gone = idle.takeAll();
            retiredByReload.add(gone.size());
        } finally {
            lock.unlock();
        }
        release(gone);
    }

    /** Closes connections idle longer than the idle timeout (run periodically). */
    void evictIdle() {
        List<PooledConnection> gone;
        long now = System.nanoTime();
        long limit = options.idleTimeout().toNanos();
        lock.lock();
        try {
            gone = idle.takeExpired(now, limit);
            evictedIdle.add(gone.size());
            accounts.forget(now, limit);
        } finally {
            lock.unlock();
        }
        release(gone);
    }

    @Override
    public void close() {
        List<PooledConnection> gone;
        lock.lock();
        try {
            closed = true;
            gone = idle.takeAll();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        release(gone);
        reaper.shutdownNow();
        connector.shutdown();
    }

    /** Closes connections taken out of the pool, then frees their slots (see the class comment). */
    private void release(List<PooledConnection> gone) {
        if (gone.isEmpty()) {
            return;
        }
        gone.forEach(c -> closeQuietly(c.connection));
        lock.lock();
        try {
            open -= gone.size();
            gone.forEach(c -> c.account.open--);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
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
