#!/bin/sh
# pgvigil launcher (part of the runtime image). It execs java, so signals such as SIGTERM from
# systemd reach the JVM directly. PGVIGIL_JAVA_OPTS replaces the default JVM options below; the
# AOT cache in lib/ is used when it exists (a cache made with other JVM options is ignored by java).
dir=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
opts=${PGVIGIL_JAVA_OPTS:-"@DEFAULT_JVM_OPTS@"}
aot=
if [ -f "$dir/lib/pgvigil.aot" ]; then
  aot="-XX:AOTCache=$dir/lib/pgvigil.aot"
fi
# --web.systemd-socket: the JDK can take over an inherited socket only on fd 0, so move the one socket
# systemd passes (fd 3, LISTEN_FDS=1, LISTEN_PID = this pid, which exec keeps) there. Anything else is
# left as it is, and pgvigil says what is wrong.
sock=
for a in "$@"; do
  case $a in
    --web.systemd-socket) sock=1 ;;
    --no-web.systemd-socket) sock= ;;
  esac
done
if [ -n "$sock" ] && [ "${LISTEN_PID:-}" = "$$" ] && [ "${LISTEN_FDS:-}" = 1 ]; then
  exec 0<&3 3<&-
fi
# shellcheck disable=SC2086
exec "$dir/bin/java" $opts $aot -Xlog:aot*=error -Xlog:cds*=error -m io.pgvigil.app/io.pgvigil.app.Main "$@"
