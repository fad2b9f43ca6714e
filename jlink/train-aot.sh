#!/usr/bin/env bash
# Trains the AOT cache of a pgvigil image: runs the image once with -XX:AOTCacheOutput, sends it the
# requests an exporter serves (/metrics without a data source, /probe of a closed port, bad requests,
# and a real probe when PGVIGIL_TRAIN_TARGET and PGVIGIL_TRAIN_MODULE_* name a server), then stops it;
# the JVM writes lib/pgvigil.aot at exit. Usage: train-aot.sh IMAGE_DIR
set -euo pipefail
image=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/config.yml" <<YML
auth_modules:
  training:
    type: userpass
    userpass:
      username: ${PGVIGIL_TRAIN_USER:-pgvigil}
      password: ${PGVIGIL_TRAIN_PASSWORD:-training}
    options:
      sslmode: disable
      connect_timeout: "2"
YML

opts=${PGVIGIL_DEFAULT_JVM_OPTS:?set by build-image.sh}

# The port is chosen here, not read back from the log: a random one below the usual ephemeral range that
# nothing answers on. Should another process take it before pgvigil binds, pgvigil exits and the next
# attempt takes another port.
pid= port=
: >"$work/log"
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 12000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
  # shellcheck disable=SC2086
  "$image/bin/java" $opts -XX:AOTCacheOutput="$image/lib/pgvigil.aot" -Xlog:aot=error -Xlog:cds=error \
    -m io.pgvigil.app/io.pgvigil.app.Main \
    --web.listen-address="127.0.0.1:$port" --config.file="$work/config.yml" >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/-/healthy" && break 2
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "train-aot.sh: the image did not become healthy on port $port:" >&2
    cat "$work/log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  wait "$pid" || true
  pid=
done
if [ -z "$pid" ]; then
  echo "train-aot.sh: the image did not start:" >&2
  cat "$work/log" >&2
  exit 1
fi

base="http://127.0.0.1:$port"
closed="127.0.0.1:1/postgres"
for _ in 1 2 3; do
  curl -s -o /dev/null "$base/metrics"
  curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$base/metrics"
  curl -s -o /dev/null "$base/probe?target=$closed&auth_module=training"
  curl -s -o /dev/null "$base/probe?auth_module=training"
  curl -s -o /dev/null "$base/probe?target=x&auth_module=nope"
  curl -s -o /dev/null "$base/probe?target=host%3D%2Ftmp&auth_module=training"
  curl -s -o /dev/null "$base/"
  curl -s -o /dev/null "$base/nothing"
  if [ -n "${PGVIGIL_TRAIN_TARGET:-}" ]; then
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$base/probe?target=${PGVIGIL_TRAIN_TARGET}&auth_module=training"
  fi
done

kill -TERM "$pid"
wait "$pid" || true
if [ ! -s "$image/lib/pgvigil.aot" ]; then
  echo "train-aot.sh: no AOT cache was written:" >&2
  cat "$work/log" >&2
  exit 1
fi
echo "train-aot.sh: AOT cache $(du -h "$image/lib/pgvigil.aot" | cut -f1)"
