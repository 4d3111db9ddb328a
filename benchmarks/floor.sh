#!/usr/bin/env bash
# The floor under `traces-10k`: what a unary OTLP/gRPC server alone costs at the testbed's load
# (10k spans/s, 100 spans per gzipped request), with the JVM and flags the distribution runs Sluice
# with. Two servers that only read each request, gunzip it, count its spans and answer OK:
#   - armeria: the mock back end (benchmarks/mockbackends, Armeria, as Sluice's receiver is built),
#   - netty:   NettyGrpcFloor (Netty's HTTP/2 codec and epoll transport, no Armeria).
# Each gets the load for warm-up + window, like run.sh's scenarios; the process meter reads the
# server's CPU and RSS over the window. Rewrites the section between <!-- floor:begin --> and
# <!-- floor:end --> of BENCHMARKS.md (pass --no-write to only print).
# Usage: benchmarks/floor.sh [--no-write]   (BENCH_WARMUP, default 120s; BENCH_DURATION, default 60s)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$REPO/benchmarks/lib.sh"
DIST=${SLUICE_DIST:-$REPO/packaging/distribution/target/sluice}
MARKDOWN=${BENCH_MARKDOWN:-$REPO/BENCHMARKS.md}
WARMUP=${BENCH_WARMUP:-120s}; WARMUP=${WARMUP%s}
DURATION=${BENCH_DURATION:-60s}; DURATION=${DURATION%s}
WRITE=1
case "${1:-}" in
  "") ;;
  --no-write) WRITE=0 ;;
  *) echo "floor.sh: unknown argument $1 (expected: --no-write)" >&2; exit 2 ;;
esac
JAVA=$(find_java)
# The servers run on the distribution's runtime when there is one, as Sluice does.
SERVER_JAVA=$JAVA
[[ -x "$DIST/runtime/bin/java" ]] && SERVER_JAVA=$DIST/runtime/bin/java
LOADGEN_JAR=$REPO/benchmarks/loadgen/target/loadgen.jar
MOCK_JAR=$REPO/benchmarks/mockbackends/target/mockbackends.jar
for jar in "$LOADGEN_JAR" "$MOCK_JAR"; do
  [[ -f "$jar" ]] || { echo "floor.sh: $jar is missing; build it with ./mvnw -q -B -pl benchmarks/loadgen,benchmarks/mockbackends -am -DskipTests package" >&2; exit 1; }
done
# bin/sluice's sidecar profile (packaging/distribution/src/dist/bin/sluice), without the AOT cache,
# which only fits Sluice's own class path.
SIDECAR_OPTS=(-XX:+UseSerialGC -Xms16m -Xmx256m -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m
  -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=10000
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
TOOL_OPTS=(-XX:+UseSerialGC -Xmx512m -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=1)
OUT=$REPO/benchmarks/target/floor/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
started=()
trap cleanup EXIT
RUN_DATE=$(date -u +%Y-%m-%dT%H:%MZ)
ROWS=$OUT/rows.md
: >"$ROWS"

floor() { # name, server main arguments...
  local name=$1; shift
  MALLOC_ARENA_MAX=2 "$SERVER_JAVA" "${SIDECAR_OPTS[@]}" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  local pid=$!; started+=("$pid")
  local ready; ready=$(wait_ready "$OUT/$name.out" "$pid") || exit 1
  local port; port=$(port_of "$ready" otlp_grpc)
  log "$name: port $port, load for ${WARMUP}s + ${DURATION}s"
  "$JAVA" "${TOOL_OPTS[@]}" -jar "$LOADGEN_JAR" --endpoint "127.0.0.1:$port" --signal traces --rate 10000 \
    --duration "$((WARMUP + DURATION))s" >"$OUT/$name.loadgen.json" 2>"$OUT/$name.loadgen.err" &
  local loadgen=$!; started+=("$loadgen")
  sleep "$WARMUP"
  local meter
  meter=$("$JAVA" "${TOOL_OPTS[@]}" -cp "$LOADGEN_JAR" io.sluice.bench.procmeter.ProcMeter \
    --pid "$pid" --duration "${DURATION}s" --out "$OUT/$name.meter.json")
  wait "$loadgen" || true
  local summary; summary=$(cat "$OUT/$name.loadgen.json")
  stop_pid "$pid"
  echo "| $name | $RUN_DATE | $(num "$summary" acked_per_s | cut -d. -f1) | $(num "$meter" cpu_pct_one_core) | $(num "$meter" rss_avg_mib | cut -d. -f1) / $(num "$meter" rss_peak_mib | cut -d. -f1) | loadgen acked $(num "$summary" items_acked), refused $(num "$summary" items_refused), failed $(num "$summary" items_failed); JIT compiler threads $(num "$meter" jit_cpu_s) CPU-s of the window |" \
    | tee -a "$ROWS" >&2
}

log "results in ${OUT#"$REPO"/}; server JVM: $SERVER_JAVA"
floor armeria -jar "$MOCK_JAR" --control 0 --otlp-grpc 0
floor netty -cp "$MOCK_JAR" io.sluice.bench.mockbackends.NettyGrpcFloor --port 0

if (( WRITE )); then
  {
    echo "Run $RUN_DATE with \`benchmarks/floor.sh\`: ${WARMUP} s warm-up, ${DURATION} s window, $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| Server | Date (UTC) | Spans/s acknowledged | CPU % of one core | RSS avg / peak (MiB) | Notes |"
    echo "| --- | --- | --- | --- | --- | --- |"
    cat "$ROWS"
  } >"$OUT/floor.md"
  replace_between "$MARKDOWN" floor "$OUT/floor.md"
  log "rewrote ${MARKDOWN#"$REPO"/}"
fi
