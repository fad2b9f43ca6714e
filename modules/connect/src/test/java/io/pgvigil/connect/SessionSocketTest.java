package io.pgvigil.connect;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The session socket on its own, against a local stand-in for a server: a close waits for the server's end, but not
 * after a read timed out. (Against PostgreSQL it is exercised by every connection; ServerBudgetTest checks that a
 * rotated session's backend is gone when the next lease has its connection.)
 */
class SessionSocketTest {
    /** A generous bound for things that must end, far below the wait configured in the second test. */
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** Each stand-in server on a thread of its own (not the common pool, which one blocked stand-in could hold). */
    private static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofVirtual().start(r);

    @Test
    void closeReturnsOnlyAfterTheServerClosedItsEnd() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicBoolean serverClosed = new AtomicBoolean();
            CompletableFuture<Void> backend = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    while (in.read() >= 0) {
                        // until the client's end of stream (its Terminate and shutdown)
                    }
                    Thread.sleep(200); // a backend cleaning up before it exits
                    serverClosed.set(true);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, OWN_THREAD);
            SessionSocket client = new SessionSocket(60_000);
            client.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
            client.getOutputStream().write('X');
            assertTimeoutPreemptively(BOUND, client::close);
            assertThat(serverClosed).isTrue();
            backend.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void afterAReadTimedOutCloseDoesNotWaitForAServerThatStoppedAnswering() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> hung = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    release.await(); // never answers, never closes until the test is over
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, OWN_THREAD);
            // A wait far longer than the bound: if close waited, the test would fail.
            SessionSocket client = new SessionSocket((int) TimeUnit.MINUTES.toMillis(10));
            client.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
            client.setSoTimeout(50);
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertTimeoutPreemptively(BOUND, client::close);
            assertThat(client.isClosed()).isTrue();
            release.countDown();
            hung.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
