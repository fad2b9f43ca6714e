package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sd_listen_fds' rules for the socket from systemd, and the one-socket limit of the JDK. */
class SystemdSocketTest {
    private static final SystemdSocket.Inherited NONE = Optional::empty;

    @Test
    void theListeningSocketOnFdZeroIsTakenWhenTheVariablesAreForThisProcess() throws IOException {
        try (ServerSocketChannel bound = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            ServerSocketChannel taken = SystemdSocket.take(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1")::get, 42,
                                                           () -> Optional.of(bound));
            assertThat(taken).isSameAs(bound);
        }
    }

    @Test
    void noVariablesMeansNoSocket() {
        assertThatThrownBy(() -> SystemdSocket.take(Map.<String, String>of()::get, 42, NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--web.systemd-socket: no socket from systemd (LISTEN_PID and LISTEN_FDS are not set; "
                            + "start pgvigil through a .socket unit)");
        assertThatThrownBy(() -> SystemdSocket.take(Map.of("LISTEN_FDS", "1")::get, 42, NONE))
                .hasMessageContaining("no socket from systemd");
    }

    @Test
    void socketsForAnotherPidAreNotTaken() {
        assertThatThrownBy(() -> SystemdSocket.take(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1")::get, 42,
                                                    () -> { throw new AssertionError("fd 0 must not be read"); }))
                .hasMessage("--web.systemd-socket: the sockets from systemd are for pid 41, not this process (42)");
    }

    @Test
    void moreThanOneSocketIsRefusedNamingThem() {
        assertThatThrownBy(() -> SystemdSocket.take(
                Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a:b")::get, 42, NONE))
                .hasMessageStartingWith("--web.systemd-socket: systemd passed LISTEN_FDS=2 (a:b) but pgvigil serves exactly one socket")
                .hasMessageEndingWith("give the .socket unit a single ListenStream=");
        assertThatThrownBy(() -> SystemdSocket.take(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "0")::get, 42, NONE))
                .hasMessageStartingWith("--web.systemd-socket: systemd passed LISTEN_FDS=0 but");
    }

    @Test
    void fdZeroThatIsNotAListeningSocketSaysHowToStart() throws IOException {
        Map<String, String> env = Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1");
        String expected = "--web.systemd-socket: fd 0 is not a listening TCP socket: start pgvigil through bin/pgvigil, "
                          + "which moves the socket from fd 3 to fd 0";
        assertThatThrownBy(() -> SystemdSocket.take(env::get, 42, NONE)).hasMessage(expected);
        try (SocketChannel connected = SocketChannel.open()) {
            assertThatThrownBy(() -> SystemdSocket.take(env::get, 42, () -> Optional.of(connected))).hasMessage(expected);
        }
        ServerSocketChannel closed = ServerSocketChannel.open();
        closed.close();
        assertThatThrownBy(() -> SystemdSocket.take(env::get, 42, () -> Optional.of(closed))).hasMessage(expected);
        assertThatThrownBy(() -> SystemdSocket.take(env::get, 42, () -> { throw new IOException("boom"); }))
                .hasMessage("--web.systemd-socket: cannot take the socket from systemd: boom");
    }
}
