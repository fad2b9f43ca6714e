package io.pgvigil.app;

import sun.misc.Signal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The process signals an operator (or systemd) sends: SIGHUP reloads the configuration; the first SIGTERM
 * or SIGINT stops gracefully and exits 0, a second one exits at once with 128 + the signal number.
 * Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}): the JDK has no supported API for SIGHUP.
 */
final class Signals {
    private static final Logger LOG = System.getLogger(Signals.class.getName());

    private Signals() {
    }

    static void install(Service service) {
        Signal.handle(new Signal("HUP"), sig -> {
            if (!service.stopping()) {
                service.reload();
                service.reloadAnswered();
            }
        });
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                if (service.stopping()) {
                    LOG.log(Level.WARNING, "Second signal, stopping at once", "signal", "SIG" + sig.getName());
                    Runtime.getRuntime().halt(128 + sig.getNumber());
                }
                // A non-daemon thread: once the server's listener thread ends, nothing else keeps the JVM
                // alive, and the signal dispatcher's threads are daemons.
                Thread stopper = new Thread(() -> {
                    if (service.stop("SIG" + sig.getName())) {
                        System.exit(0);
                    }
                }, "pgvigil-stop");
                stopper.setDaemon(false);
                stopper.start();
            });
        }
        // Any other way out of the JVM (System.exit elsewhere) still stops the server and closes resources.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> service.stop("JVM shutdown"), "pgvigil-shutdown"));
    }
}
