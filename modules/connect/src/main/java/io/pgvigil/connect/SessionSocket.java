package io.pgvigil.connect;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * The socket of every session pgvigil opens: closing it waits (up to {@link #EXIT_WAIT_MILLIS}) until the server has
 * closed its end, that is until the backend process has exited and given its connection slot back. pgjdbc sends
 * {@code Terminate} and closes the socket at once, while the backend goes on for a few milliseconds; without this wait,
 * a connection closed to make room under a server's budget would still hold its slot while its replacement is being
 * opened, and the server would briefly see one session more than the budget.
 *
 * <p>No wait when it cannot help or would cost a scrape its deadline: a socket already closed or whose input is shut,
 * and a socket on which a read has timed out (a server that stopped answering: the driver closes the connection from
 * the scrape's thread, which must not wait on top of the deadline). When the server does not close its end within the
 * wait, the socket is closed anyway.
 */
class SessionSocket extends Socket {
    /** How long a close waits for the server's end to close. */
    static final int EXIT_WAIT_MILLIS = 1_000;

    private final int exitWaitMillis;
    private volatile boolean readTimedOut;
    private InputStream input;

    SessionSocket() {
        this(EXIT_WAIT_MILLIS);
    }

    /** @param exitWaitMillis how long a close waits for the server's end (for tests) */
    SessionSocket(int exitWaitMillis) {
        this.exitWaitMillis = exitWaitMillis;
    }

    /** The socket's input, noting a read that timed out. */
    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (SocketTimeoutException e) {
                        readTimedOut = true;
                        throw e;
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return super.read(b, off, len);
                    } catch (SocketTimeoutException e) {
                        readTimedOut = true;
                        throw e;
                    }
                }
            };
        }
        return input;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!isClosed() && isConnected() && !isInputShutdown() && !readTimedOut) {
            try {
                setSoTimeout(exitWaitMillis);
                shutdownOutput();
                InputStream in = super.getInputStream();
                byte[] discard = new byte[512];
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(exitWaitMillis);
                while (in.read(discard) >= 0 && System.nanoTime() - end < 0) {
                    // The backend's last words (an error, TLS close_notify): not wanted, only the end of the stream.
                }
            } catch (IOException | RuntimeException e) {
                // Timed out or reset: the session is gone or unreachable; close our end either way.
            }
        }
        super.close();
    }
}
