package io.pgvigil.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake PostgreSQL server on {@code 127.0.0.1} (random port), as an attacker would run it to steal passwords: it
 * declines TLS and GSS encryption, answers every startup packet with AuthenticationCleartextPassword and records every
 * byte the client sends afterwards. A test names it as the target and then asserts that {@link #received()} never
 * contains the password, and that no PasswordMessage arrived ({@link #passwordMessages()}).
 */
public final class CleartextTrap implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;

    private final ServerSocket listener;
    private final Thread acceptor;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger startups = new AtomicInteger();
    private final AtomicInteger passwordMessages = new AtomicInteger();

    private CleartextTrap() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        acceptor = Thread.ofVirtual().name("cleartext-trap-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    /** Starts a trap on a random port. */
    public static CleartextTrap start() {
        try {
            return new CleartextTrap();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port it listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@return how many startup packets were answered with AuthenticationCleartextPassword} */
    public int startups() {
        return startups.get();
    }

    /** {@return how many PasswordMessages ({@code 'p'}) clients sent} */
    public int passwordMessages() {
        return passwordMessages.get();
    }

    /** {@return every byte clients sent, startup packets included, decoded as UTF-8 (lossy but enough to search)} */
    public String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(new Recording(socket.getInputStream()));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                int length = in.readInt();
                int code = in.readInt();
                in.readNBytes(Math.max(0, length - 8));
                if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
                    out.writeByte('N');
                    out.flush();
                    continue;
                }
                break;
            }
            startups.incrementAndGet();
            out.writeByte('R');
            out.writeInt(8);
            out.writeInt(3); // AuthenticationCleartextPassword
            out.flush();
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int length = in.readInt();
                in.readNBytes(Math.max(0, length - 4));
                if (type == 'p') {
                    passwordMessages.incrementAndGet();
                    byte[] text = "SFATAL\0C28P01\0Mpassword authentication failed\0\0".getBytes(StandardCharsets.US_ASCII);
                    out.writeByte('E');
                    out.writeInt(4 + text.length);
                    out.write(text);
                    out.flush();
                    return;
                }
            }
        } catch (EOFException e) {
            // The client hung up, as it should when it refuses to send the password.
        } catch (IOException e) {
            // Same: nothing more to record.
        }
    }

    /** Stops listening; connections being served end on their own. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies every byte read into {@link #received}. */
    private final class Recording extends InputStream {
        private final InputStream in;

        Recording(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                synchronized (received) {
                    received.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                synchronized (received) {
                    received.write(buffer, offset, n);
                }
            }
            return n;
        }
    }
}
