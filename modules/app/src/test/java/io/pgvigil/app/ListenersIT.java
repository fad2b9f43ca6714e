package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The image with several listen addresses, and started by systemd socket activation (a socket on fd 3). */
class ListenersIT {
    @Test
    void everyListenAddressIsBoundAndLogged(@TempDir Path dir) throws Exception {
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--web.listen-address=[::1]:0")) {
            Matcher m = Pattern.compile("msg=\"Listening on\" address=(\\S+):(\\d+)").matcher(image.log());
            List<String> bound = m.results().map(r -> r.group(1) + " " + r.group(2)).toList();
            assertThat(bound).hasSize(2);
            assertThat(bound.get(0)).startsWith("127.0.0.1 ");
            assertThat(bound.get(1)).startsWith("::1 ");
            int second = Integer.parseInt(bound.get(1).substring(4));
            try (java.net.Socket s = new java.net.Socket("::1", second)) {
                s.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(30_000);
                byte[] head = new byte[15];
                assertThat(s.getInputStream().readNBytes(head, 0, head.length)).isEqualTo(15);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
            }
        }
    }

    /**
     * As systemd would: a listening socket on fd 3, LISTEN_FDS=1 and LISTEN_PID set to the PID that runs
     * pgvigil (python3 binds, then execs the launcher, which execs java: the PID stays the same).
     */
    @Test
    void aSocketPassedBySystemdIsRefusedWithAReason(@TempDir Path dir) throws Exception {
        Path launcher = Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil");
        String script = """
                import os, socket, sys
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                s.listen(16)
                os.dup2(s.fileno(), 3)
                os.set_inheritable(3, True)
                os.environ["LISTEN_FDS"] = "1"
                os.environ["LISTEN_PID"] = str(os.getpid())
                os.environ["LISTEN_FDNAMES"] = "pgvigil.socket"
                print("bound", s.getsockname()[1], flush=True)
                os.execv(sys.argv[1], [sys.argv[1], "--web.systemd-socket"])
                """;
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder("python3", "-c", script, launcher.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
            String out = Files.readString(log);
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("bound ", "pgvigil: error: --web.systemd-socket is not supported: Helidon 4.5 binds")
                    .doesNotContain("Listening on");
        } finally {
            p.destroyForcibly();
        }
    }
}
