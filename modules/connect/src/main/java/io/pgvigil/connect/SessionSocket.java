package io.pgvigil.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * The socket of every session pgvigil opens: closing it waits (up to {@link #EXIT_WAIT_MILLIS}) until the server has
 * closed its end, that is until the backend process has exited and given its connection slot back. pgjdbc sends
 * {@code Terminate} and closes the socket at once, while the backend goes on for a few milliseconds; without this wait,
 * a connection closed to make room under a server's budget would still hold its slot while its replacement is being
 * opened, and the server would briefly see one session more than the budget.
 *
 * <p>A socket already closed (the driver saw an error) or whose input is shut is closed at once. When the server does
 * not answer within the wait (a network that drops packets), the socket is closed anyway.
 */
class SessionSocket extends Socket {
    /** How long a close waits for the server's end to close. */
    static final int EXIT_WAIT_MILLIS = 1_000;

    @Override
    public synchronized void close() throws IOException {
        if (!isClosed() && isConnected() && !isInputShutdown()) {
            try {
                setSoTimeout(EXIT_WAIT_MILLIS);
                shutdownOutput();
                InputStream in = getInputStream();
                byte[] discard = new byte[512];
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
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
