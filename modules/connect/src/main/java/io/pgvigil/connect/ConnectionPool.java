package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * options: changed credentials simply stop matching, and the old connections age out as idle).
 * <ul>
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
    private final Condition changed = lock.newCondition();
    /** Idle connections per target, most recently returned first. */
    private final Map<ConnectionSpec, ArrayDeque<Entry>> idle = new HashMap<>();
    /** Every idle connection, least recently returned first. */
    private final LinkedHashSet<Entry> lru = new LinkedHashSet<>();
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
            return new Stats(options.maxOpen(), open, lru.size(), opened.sum(), reused.sum(), evictedIdle.sum(),
                             evictedLru.sum(), retired.sum(), capWaits.sum(), capTimeouts.sum(), connectTimeouts.sum(),
                             retiredByReload.sum());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Lease lease(ConnectionSpec spec, long deadlineNanos) throws SQLException {
        List<Connection> toClose = new ArrayList<>();
        Entry kept = null;
        boolean waited = false;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new SQLException("the connection pool is closed", "08003");
                }
                kept = takeIdle(spec);
                if (kept != null) {
                    break;
                }
                if (open < options.maxOpen()) {
                    open++;
                    break;
                }
                Iterator<Entry> oldest = lru.iterator();
                if (oldest.hasNext()) {
                    Entry victim = oldest.next();
                    removeIdle(victim);
                    open--;
                    evictedLru.increment();
                    toClose.add(victim.connection);
                    continue;
                }
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0) {
                    if (waited) {
                        capTimeouts.increment();
                    }
                    throw new SQLException("no free connection: all " + options.maxOpen() + " connections allowed by "
                                           + "--connection.max-open are in use, none became free before the scrape deadline",
                                           "53300");
                }
                if (!waited) {
                    waited = true;
                    capWaits.increment();
                }
                changed.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection", "08001", e);
        } finally {
            lock.unlock();
            closeAll(toClose);
        }
        if (kept != null) {
            reused.increment();
            return new PooledLease(kept, true);
        }
        return new PooledLease(connect(spec, deadlineNanos), false);
    }

    /** Opens a connection for a slot already reserved; frees the slot when it fails. */
    private Entry connect(ConnectionSpec spec, long deadlineNanos) throws SQLException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            freeSlot();
            connectTimeouts.increment();
            throw new SQLException("the scrape deadline passed before the connection could be opened", "08001");
        }
        CompletableFuture<Entry> setUp = CompletableFuture.supplyAsync(() -> {
            try {
                Connection c = SessionDefaults.open(spec, options.lockTimeout());
                try {
                    return new Entry(spec, c, ServerInfo.detect(c), generation);
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, connector);
        try {
            Entry entry = setUp.get(remaining, TimeUnit.NANOSECONDS);
            opened.increment();
            return entry;
        } catch (TimeoutException e) {
            connectTimeouts.increment();
            // The slot stays taken until the abandoned set-up ends, so the cap holds.
            setUp.whenComplete((entry, error) -> {
                if (entry != null) {
                    closeQuietly(entry.connection);
                }
                freeSlot();
            });
            throw new SQLException("connection set-up did not finish before the scrape deadline", "08001");
        } catch (ExecutionException e) {
            freeSlot();
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
                freeSlot();
            });
            throw new SQLException("interrupted while connecting", "08001", e);
        }
    }

    private Entry takeIdle(ConnectionSpec spec) {
        ArrayDeque<Entry> entries = idle.get(spec);
        if (entries == null) {
            return null;
        }
        Entry e = entries.pollFirst();
        if (entries.isEmpty()) {
            idle.remove(spec);
        }
        if (e != null) {
            lru.remove(e);
        }
        return e;
    }

    private void removeIdle(Entry e) {
        lru.remove(e);
        ArrayDeque<Entry> entries = idle.get(e.spec);
        if (entries != null) {
            entries.remove(e);
            if (entries.isEmpty()) {
                idle.remove(e.spec);
            }
        }
    }

    private void freeSlot() {
        lock.lock();
        try {
            open--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void giveBack(Entry entry, boolean broken) {
        List<Connection> toClose = new ArrayList<>();
        boolean dead = broken || ConnectionErrors.isClosed(entry.connection);
        lock.lock();
        try {
            if (!dead && !closed && entry.generation != generation) {
                open--;
                retiredByReload.increment();
                toClose.add(entry.connection);
            } else if (dead || closed) {
                open--;
                toClose.add(entry.connection);
                if (dead) {
                    retired.increment();
                    // A connection that broke usually means the server went away: its idle siblings went with it.
                    ArrayDeque<Entry> siblings = idle.remove(entry.spec);
                    if (siblings != null) {
                        for (Entry s : siblings) {
                            lru.remove(s);
                            open--;
                            retired.increment();
                            toClose.add(s.connection);
                        }
                    }
                }
            } else {
                entry.idleSince = System.nanoTime();
                idle.computeIfAbsent(entry.spec, k -> new ArrayDeque<>()).addFirst(entry);
                lru.add(entry);
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
        int n = lru.size();
        for (Entry e : lru) {
            toClose.add(e.connection);
        }
        open -= n;
        lru.clear();
        idle.clear();
        changed.signalAll();
        return n;
    }

    /** Closes connections idle longer than the idle timeout (run periodically). */
    void evictIdle() {
        List<Connection> toClose = new ArrayList<>();
        long now = System.nanoTime();
        long limit = options.idleTimeout().toNanos();
        lock.lock();
        try {
            List<Entry> expired = new ArrayList<>();
            for (Entry e : lru) {
                if (now - e.idleSince < limit) {
                    break; // least recently returned first: the rest are younger
                }
                expired.add(e);
            }
            for (Entry e : expired) {
                removeIdle(e);
                open--;
                evictedIdle.increment();
                toClose.add(e.connection);
            }
            if (!toClose.isEmpty()) {
                changed.signalAll();
            }
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

    private static final class Entry {
        final ConnectionSpec spec;
        final Connection connection;
        final ServerInfo server;
        /** The {@link #generation} when it was opened: an older one is closed instead of being kept. */
        final long generation;
        long idleSince;

        Entry(ConnectionSpec spec, Connection connection, ServerInfo server, long generation) {
            this.spec = spec;
            this.connection = connection;
            this.server = server;
            this.generation = generation;
        }
    }

    private final class PooledLease implements Lease {
        private final Entry entry;
        private final boolean wasReused;
        private final AtomicBoolean returned = new AtomicBoolean();
        private volatile boolean broken;

        PooledLease(Entry entry, boolean wasReused) {
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
