#!/usr/bin/env bash
# Builds the pgvigil runtime image:
#   1. jlink over explicit modules only (the app, its libraries, pgjdbc and the Prometheus model, which
#      the app pom gives a module descriptor with moditect), compressed, without debug symbols;
#   2. bin/pgvigil, a launcher that execs java so SIGTERM reaches the JVM;
#   3. lib/pgvigil.aot, a JDK 25 AOT cache trained by a short run of the image (JEP 483/514/515).
# Usage: build-image.sh APP_JAR LIBS_DIR OUTPUT_DIR      (JAVA_HOME must point at a JDK 25)
set -euo pipefail

app_jar=$1
libs=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
license="$here/../LICENSE"
if [ ! -f "$license" ]; then
  echo "build-image.sh: no LICENSE at the repository root ($license); the image ships it" >&2
  exit 1
fi

java_home=${JAVA_HOME:-}
if [ -z "$java_home" ] || ! "$java_home/bin/java" -version 2>&1 | grep -q '"25'; then
  echo "build-image.sh: JAVA_HOME must point at a JDK 25 (got '${java_home}')" >&2
  exit 1
fi

# Default JVM options of the launcher, also used to train the AOT cache (a cache is only used by a JVM
# started with compatible options). Measured in docs/performance.md: a small, fast-growing heap with the
# serial collector and C1 only keeps the resident set near 85 MiB after 100 probes instead of ~210 MiB.
# Issue 12 (docs/performance.md "Memory"): with 500 targets the serial heap grew to its 256 MiB ceiling and stayed
# there; the free ratios and -XX:-ShrinkHeapInSteps give it back after the peak (full GCs shrink it at once to the
# live data plus 30%), and compact object headers (JDK 25, JEP 519) shrink the live data itself.
export PGVIGIL_DEFAULT_JVM_OPTS="-XX:+UseSerialGC -Xss512k -Xms16m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-ShrinkHeapInSteps -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m"

# A signed jar that moditect gave a module-info no longer matches its signature, and jlink refuses it
# ("Invalid signature file digest"): repack such jars without the signature files (at.favre.lib:bytes is signed).
for jar in "$libs"/*.jar; do
  if "$java_home/bin/jar" --list --file "$jar" | grep -qE '^META-INF/[^/]+\.(SF|RSA|DSA|EC)$'; then
    tmp=$(mktemp -d)
    (cd "$tmp" && "$java_home/bin/jar" --extract --file "$jar")
    rm -f "$tmp"/META-INF/*.SF "$tmp"/META-INF/*.RSA "$tmp"/META-INF/*.DSA "$tmp"/META-INF/*.EC
    rm -f "$jar"
    "$java_home/bin/jar" --create --file "$jar" --manifest "$tmp/META-INF/MANIFEST.MF" -C "$tmp" .
    rm -rf "$tmp"
    echo "build-image.sh: removed the signature of $(basename "$jar") (it now has a module-info)"
  fi
done

rm -rf "$out"
"$java_home/bin/jlink" \
  --module-path "$app_jar:$libs" \
  --add-modules ALL-MODULE-PATH \
  --compress=zip-6 --strip-debug --no-header-files --no-man-pages \
  --output "$out"

sed "s|@DEFAULT_JVM_OPTS@|$PGVIGIL_DEFAULT_JVM_OPTS|" "$here/pgvigil.sh" >"$out/bin/pgvigil"
chmod 0755 "$out/bin/pgvigil"
cp "$license" "$out/LICENSE"

if [ "${PGVIGIL_SKIP_AOT:-}" = "1" ]; then
  echo "build-image.sh: PGVIGIL_SKIP_AOT=1, no AOT cache"
else
  bash "$here/train-aot.sh" "$out"
fi
echo "build-image.sh: image at $out ($(du -sh "$out" | cut -f1))"
