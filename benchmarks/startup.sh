#!/usr/bin/env bash
# Start-up and idle footprint of the built distribution, with and without its AppCDS archive:
#   - `sluice validate` wall time (embedded default config),
#   - time from launching `sluice run` until the health check answers 200,
#   - idle RSS and idle CPU over a window that starts --settle seconds (default 30) after the health
#     check first answered: in the first 25 s or so the JIT compiler still works through what the
#     AOT cache's training profiles mark as hot (about 0.15 CPU-s), which is start-up, not idling.
# Rewrites the section between <!-- startup:begin --> and <!-- startup:end --> of BENCHMARKS.md
# (pass --no-write to only print).
# Usage: benchmarks/startup.sh [--runs N] [--settle SECONDS] [--idle SECONDS] [--no-write]
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$REPO/benchmarks/lib.sh"
DIST=${SLUICE_DIST:-$REPO/packaging/distribution/target/sluice}
MARKDOWN=${BENCH_MARKDOWN:-$REPO/BENCHMARKS.md}
RUNS=3
SETTLE=30
IDLE=20
WRITE=1
COMMAND="benchmarks/startup.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift ;;
    --settle) SETTLE=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --no-write) WRITE=0 ;;
    *) echo "startup.sh: unknown argument $1 (expected: --runs N, --settle SECONDS, --idle SECONDS, --no-write)" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$DIST/bin/sluice" ] || { echo "startup.sh: no distribution at $DIST (./mvnw -DskipTests package)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

measure() { # mode (cds|nocds) -> one line: validate_ms healthy_ms rss_mib cpu_pct
  local cds=1; [ "$1" = nocds ] && cds=0
  local t0 t1 validate_ms
  t0=$(now_ms)
  SLUICE_CDS=$cds "$DIST/bin/sluice" validate >/dev/null 2>&1
  t1=$(now_ms); validate_ms=$((t1 - t0))

  local grpc http health metrics
  grpc=$(free_port); http=$(free_port); health=$(free_port); metrics=$(free_port)
  cat >"$WORK/idle.conf" <<EOF
receivers { otlp { protocols { grpc { endpoint = "127.0.0.1:$grpc" }, http { endpoint = "127.0.0.1:$http" } } } }
processors { memory_limiter { check_interval = 1s, limit_percentage = 80, spike_limit_percentage = 20 }, batch {} }
exporters { debug {} }
extensions { health_check { endpoint = "127.0.0.1:$health" } }
service {
  extensions = [health_check]
  telemetry.metrics.address = "127.0.0.1:$metrics"
  pipelines.traces { receivers = [otlp], processors = [memory_limiter, batch], exporters = [debug] }
}
EOF
  t0=$(now_ms)
  SLUICE_CDS=$cds "$DIST/bin/sluice" run --config "$WORK/idle.conf" >"$WORK/run.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$health/"; do
    kill -0 "$pid" 2>/dev/null || { echo "startup.sh: the daemon exited:" >&2; cat "$WORK/run.log" >&2; exit 1; }
    [ $(( $(now_ms) - t0 )) -lt 60000 ] || { echo "startup.sh: not healthy within 60 s" >&2; kill "$pid"; exit 1; }
    sleep 0.02
  done
  t1=$(now_ms)
  local healthy_ms=$((t1 - t0))
  sleep "$SETTLE"
  local c0 c1 rss
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep "$IDLE"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  awk -v v="$validate_ms" -v h="$healthy_ms" -v r="$rss" -v c="$((c1 - c0))" -v t="$TCK" -v s="$IDLE" \
    'BEGIN { printf "%d %d %d %.2f\n", v, h, r, 100 * c / t / s }'
}

# The launcher uses the AOT cache when the runtime has one (JDK 25+), else the AppCDS archive.
ARCHIVE="AppCDS"
[ -f "$DIST/runtime/lib/server/sluice.aot" ] && ARCHIVE="AOT cache"
RUN_DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
TABLE="$WORK/startup.md"
{
  echo "Run $RUN_DATE with \`$COMMAND\`: $RUNS runs per mode, idle window of ${IDLE}s starting ${SETTLE}s after the health check first answered, load average at start $LOAD."
  echo "Default sidecar JVM flags of \`bin/sluice\`; \"$ARCHIVE off\" is \`SLUICE_CDS=0\`. Each cell: median (min–max)."
  echo
  echo "| Mode | \`sluice validate\` wall (ms) | launch → health 200 (ms) | idle RSS (MiB) | idle CPU % of one core |"
  echo "| --- | --- | --- | --- | --- |"
} >"$TABLE"
for mode in cds nocds; do
  : >"$WORK/$mode.txt"
  for _ in $(seq "$RUNS"); do
    measure "$mode" >>"$WORK/$mode.txt"
  done
  label="$ARCHIVE on"; [ "$mode" = nocds ] && label="$ARCHIVE off"
  awk -v label="$label" '
    { for (i = 1; i <= 4; i++) v[i, NR] = $i }
    END {
      printf "| %s", label
      for (i = 1; i <= 4; i++) {
        n = 0; for (r = 1; r <= NR; r++) a[++n] = v[i, r]
        for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
        printf " | %s (%s–%s)", a[int((n + 1) / 2)], a[1], a[n]
      }
      print " |"
    }' "$WORK/$mode.txt" >>"$TABLE"
done
cat "$TABLE"
if [ "$WRITE" = 1 ]; then
  replace_between "$MARKDOWN" startup "$TABLE"
  echo "startup.sh: rewrote the start-up section of ${MARKDOWN#"$REPO"/}"
fi
