package io.pgvigil.dsn;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link HostResolver#system}: a blocking lookup on a virtual thread, given up after a timeout. */
final class SystemResolver implements HostResolver {
    /** Lookups allowed to be in flight at once. */
    static final int MAX_PENDING = 64;

    private final Duration timeout;
    private final HostResolver lookup;
    private final Semaphore pending = new Semaphore(MAX_PENDING);

    SystemResolver(Duration timeout, HostResolver lookup) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the resolve timeout must be positive");
        }
        this.timeout = timeout;
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        if (!pending.tryAcquire()) {
            throw new UnknownHostException("too many host name lookups in progress");
        }
        CompletableFuture<List<InetAddress>> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("pgvigil-resolve").start(() -> {
            try {
                answer.complete(lookup.resolve(host));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            } finally {
                pending.release();
            }
        });
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new UnknownHostException("host name lookup took longer than " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new UnknownHostException("host name lookup failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException("host name lookup interrupted");
        }
    }
}
