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
# shellcheck disable=SC2086
exec "$dir/bin/java" $opts $aot -Xlog:aot*=error -Xlog:cds*=error -m io.pgvigil.app/io.pgvigil.app.Main "$@"
