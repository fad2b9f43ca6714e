package io.pgvigil.app;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;
import java.util.function.Function;

/**
 * The listening socket systemd passes to pgvigil (socket activation, {@code --web.systemd-socket}).
 *
 * <p>systemd's rule ({@code sd_listen_fds}): the sockets are fds 3 to 3 + {@code LISTEN_FDS} - 1 and are meant for
 * this process only if {@code LISTEN_PID} is its pid. JDK 25 has no public API that wraps an inherited descriptor
 * other than fd 0 ({@link System#inheritedChannel()}), so pgvigil serves exactly one socket: the launcher
 * {@code bin/pgvigil} moves fd 3 to fd 0 before it execs java (an exec keeps the pid, so {@code LISTEN_PID} stays
 * right).
 */
final class SystemdSocket {
    private SystemdSocket() {
    }

    /** What reads fd 0: {@link System#inheritedChannel()}, or a stand-in in tests. */
    @FunctionalInterface
    interface Inherited {
        /** {@return the channel on fd 0, if the JDK could wrap one} */
        Optional<Channel> channel() throws IOException;
    }

    /**
     * @param env       the environment ({@code LISTEN_PID}, {@code LISTEN_FDS}, {@code LISTEN_FDNAMES})
     * @param pid       this process's pid
     * @param inherited the channel on fd 0
     * @return the listening socket systemd passed
     * @throws IllegalArgumentException saying what is missing or not supported
     */
    static ServerSocketChannel take(Function<String, String> env, long pid, Inherited inherited) {
        String listenPid = Optional.ofNullable(env.apply("LISTEN_PID")).orElse("").strip();
        String listenFds = Optional.ofNullable(env.apply("LISTEN_FDS")).orElse("").strip();
        if (listenPid.isEmpty() || listenFds.isEmpty()) {
            throw new IllegalArgumentException(Flag.SYSTEMD_SOCKET.flagName() + ": no socket from systemd "
                                               + "(LISTEN_PID and LISTEN_FDS are not set; start pgvigil through a .socket unit)");
        }
        if (!listenPid.equals(Long.toString(pid))) {
            throw new IllegalArgumentException(Flag.SYSTEMD_SOCKET.flagName() + ": the sockets from systemd are for pid "
                                               + listenPid + ", not this process (" + pid + ")");
        }
        if (!listenFds.equals("1")) {
            String names = Optional.ofNullable(env.apply("LISTEN_FDNAMES")).orElse("");
            throw new IllegalArgumentException(Flag.SYSTEMD_SOCKET.flagName() + ": systemd passed LISTEN_FDS=" + listenFds
                                               + (names.isEmpty() ? "" : " (" + names + ")") + " but pgvigil serves exactly "
                                               + "one socket (the JDK can take over only one inherited socket); "
                                               + "give the .socket unit a single ListenStream=");
        }
        Optional<Channel> channel;
        try {
            channel = inherited.channel();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(Flag.SYSTEMD_SOCKET.flagName() + ": cannot take the socket from systemd: "
                                               + e.getMessage(), e);
        }
        if (channel.orElse(null) instanceof ServerSocketChannel server && server.isOpen()) {
            return server;
        }
        throw new IllegalArgumentException(Flag.SYSTEMD_SOCKET.flagName() + ": fd 0 is not a listening TCP socket: start "
                                           + "pgvigil through bin/pgvigil, which moves the socket from fd 3 to fd 0");
    }

    /** {@return {@link System#inheritedChannel()}} */
    static Optional<Channel> systemInherited() throws IOException {
        return Optional.ofNullable(System.inheritedChannel());
    }
}
