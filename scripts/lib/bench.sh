# Shell shared by scripts/bench-probe and scripts/bench-fleet (sourced, not run). The caller sets `root` (the
# checkout), `work` (its scratch directory) and defines `log MESSAGE...` before calling these functions.

# The JDK 25 that compiles and runs the helpers in bench/ (the image's bin/java has no compiler and no
# java.net.http): JAVA_HOME or /usr/lib/jvm/*25*. Sets `jdk`, or prints why not and returns 1.
find_bench_jdk() {
  local j
  jdk=""
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/*25*; do
    [ -n "$j" ] && [ -x "$j/bin/javac" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "25' && { jdk=$j; return 0; }
  done
  log "needs a JDK 25 (JAVA_HOME or /usr/lib/jvm/*25*) for bench/*.java"
  return 1
}

# The jars the helpers in bench/ compile against: sets `pgjdbc` and `testkit`, or says which build is missing.
find_bench_jars() {
  pgjdbc=$(ls "$root"/modules/app/target/libs/postgresql-*.jar 2>/dev/null | head -n1 || true)
  testkit=$(ls "$root"/modules/testkit/target/pgvigil-testkit-*.jar 2>/dev/null | grep -v -- '-tests' | head -n1 || true)
  if [ -z "$pgjdbc" ] || [ -z "$testkit" ]; then
    log "no pgjdbc or testkit jar under modules/*/target; run scripts/bootstrap -B -q install -DskipTests"
    return 1
  fi
}

# ------------------------------------------------------------------------------------------ reference exporter
refver=0.17.1
ref="$root/.tools/postgres-exporter-$refver/usr/bin/prometheus-postgres-exporter"

# Makes `$ref` exist: scripts/fetch-reference fetches Debian trixie's prometheus-postgres-exporter $refver under
# a private apt state and unpacks it into .tools/ (never installed). Returns 1 when it cannot.
fetch_reference() { "$root/scripts/fetch-reference" >/dev/null; }

# ------------------------------------------------------------------------------------------ measuring
clk=$(getconf CLK_TCK)
# utime+stime of one process, in clock ticks; empty when it has exited
proc_ticks() { { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null || true; } | awk '{print $12 + $13}'; }
proc_sys_ticks() { { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null || true; } | awk '{print $13}'; }
# the postmasters given (pids) with their reaped children plus their live children, in clock ticks
pg_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pms="$*" '
      BEGIN { n = split(pms, p, " "); for (i = 1; i <= n; i++) pm[p[i]] = 1 }
      { pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
        if (pid in pm) t += f[12] + f[13] + f[14] + f[15]; else if (f[2] in pm) t += f[12] + f[13]
      } END { print t + 0 }'
}
# resident set size now (VmRSS) or its peak (VmHWM), in MiB; "(exited)" when the process is gone
rss_mib() { awk -v k="${2:-VmRSS}:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "(exited)"; }
now_ns() { date +%s%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# cores used between two tick counts over a span of nanoseconds
cores() { awk -v d=$(($2 - $1)) -v c="$clk" -v ns="$3" 'BEGIN {printf "%.2f", d / c / (ns / 1e9)}'; }

# Waits until http://127.0.0.1:PORT/ answers 200 while process PID lives (30 s at most); returns 1 otherwise.
await_http() { # pid port
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/" || true)" = 200 ] && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# Stops a process with SIGTERM, then SIGKILL after SECONDS (default 30), reaps it and forgets it.
stop_process() { # pid [seconds]
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 $((${2:-30} * 10))); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}
# Drops a reaped process from the caller's `pids` (what its exit trap stops), so that the trap never signals a
# process id the system has given to someone else since.
forget() { local p left=(); for p in "${pids[@]}"; do [ "$p" = "$1" ] || left+=("$p"); done; pids=("${left[@]}"); }
