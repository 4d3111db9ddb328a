#!/usr/bin/env bash
# Soak test (issue #8, not in CI): three OTLP/gRPC loads at once (traces, metrics, logs) through a
# daemon whose exporters keep persistent queues, with the back ends failing now and then. Checks
# that nothing acknowledged is lost, that the queues drain, that the daemon survives and stops
# cleanly, and whether its RSS stays flat. See benchmarks/README.md, section "Soak".
#
#   benchmarks/soak.sh [--write]
#   SOAK_DURATION=4m SOAK_OUTAGE_EVERY=90s SOAK_OUTAGE=30s benchmarks/soak.sh
#
# --write puts the summary between <!-- soak:begin --> and <!-- soak:end --> of BENCHMARKS.md
# (BENCH_MARKDOWN); without it the summary is only printed and kept with the raw results.
#
# Environment: SOAK_DURATION (load, default 30m), SOAK_OUTAGE_EVERY (default 5m), SOAK_OUTAGE
# (default 60s), SOAK_RATE (items/s of each signal, default 2000), SOAK_DRAIN_TIMEOUT (default 5m),
# SOAK_QUEUE_SIZE (batches per queue, default 100000), SOAK_RSS_MAX_GROWTH (%, default 10),
# SOAK_PORT_BASE (first port tried for the daemon, default 25317), SLUICE_DIST.
# Exit status 1 when data was lost, a queue did not drain, or the daemon died or stopped badly.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"
SIGNALS=(traces metrics logs)

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
write=0
for arg in "$@"; do
  case "$arg" in
    --write) write=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak.sh: unknown argument '$arg' (expected: --write; settings come from the environment)" >&2; usage >&2; exit 2 ;;
  esac
done
MARKDOWN=${BENCH_MARKDOWN:-$REPO/BENCHMARKS.md}
if (( write )) && ! grep -q '^<!-- soak:begin -->$' "$MARKDOWN"; then
  echo "soak.sh: no <!-- soak:begin --> marker in $MARKDOWN" >&2; exit 1
fi

# seconds VALUE NAME: 90, 90s, 5m or 1h in whole seconds.
seconds() {
  [[ "$1" =~ ^([0-9]+)(s|m|h)?$ ]] || { echo "soak.sh: $2=$1 (expected: e.g. 90s, 5m, 1h)" >&2; exit 2; }
  case ${BASH_REMATCH[2]:-s} in
    s) echo "${BASH_REMATCH[1]}" ;;
    m) echo $((BASH_REMATCH[1] * 60)) ;;
    h) echo $((BASH_REMATCH[1] * 3600)) ;;
  esac
}
DURATION=$(seconds "${SOAK_DURATION:-30m}" SOAK_DURATION)
OUTAGE_EVERY=$(seconds "${SOAK_OUTAGE_EVERY:-5m}" SOAK_OUTAGE_EVERY)
OUTAGE=$(seconds "${SOAK_OUTAGE:-60s}" SOAK_OUTAGE)
DRAIN_TIMEOUT=$(seconds "${SOAK_DRAIN_TIMEOUT:-5m}" SOAK_DRAIN_TIMEOUT)
RATE=${SOAK_RATE:-2000}
QUEUE_SIZE=${SOAK_QUEUE_SIZE:-100000}
RSS_MAX_GROWTH=${SOAK_RSS_MAX_GROWTH:-10}
PORT_BASE=${SOAK_PORT_BASE:-25317}
for v in RATE QUEUE_SIZE RSS_MAX_GROWTH PORT_BASE; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "soak.sh: SOAK_$v=${!v} (expected: a whole number)" >&2; exit 2; }
done
# Thirds of at least 30 s hold three RSS samples each.
(( DURATION >= 90 )) || { echo "soak.sh: SOAK_DURATION=${DURATION}s (expected: >= 90s)" >&2; exit 2; }
(( OUTAGE > 0 && OUTAGE < OUTAGE_EVERY )) || {
  echo "soak.sh: SOAK_OUTAGE=${OUTAGE}s (expected: > 0 and < SOAK_OUTAGE_EVERY=${OUTAGE_EVERY}s)" >&2; exit 2; }
# Outage k starts at k * SOAK_OUTAGE_EVERY; only outages that end while the load runs are made.
OUTAGE_STARTS=()
for (( t = OUTAGE_EVERY; t + OUTAGE <= DURATION; t += OUTAGE_EVERY )); do OUTAGE_STARTS+=("$t"); done

SLUICE_DIST=${SLUICE_DIST:-$REPO/packaging/distribution/target/sluice}
[[ "$SLUICE_DIST" = /* ]] || SLUICE_DIST=$REPO/$SLUICE_DIST
RUN_DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMAND="SOAK_DURATION=${SOAK_DURATION:-30m} SOAK_OUTAGE_EVERY=${SOAK_OUTAGE_EVERY:-5m} SOAK_OUTAGE=${SOAK_OUTAGE:-60s} SOAK_RATE=$RATE benchmarks/soak.sh${*:+ $*}"
OUT=$BENCH_DIR/target/soak/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

# --- Java, the tools and the distribution ---------------------------------------------------------
JAVA=$(find_java)
LOADGEN_JAR=$BENCH_DIR/loadgen/target/loadgen.jar
MOCK_JAR=$BENCH_DIR/mockbackends/target/mockbackends.jar
if [[ ! -f "$LOADGEN_JAR" || ! -f "$MOCK_JAR" ]]; then
  log "building the load generator and the mock back ends"
  (cd "$REPO" && ./mvnw -q -B -ntp -pl benchmarks/loadgen,benchmarks/mockbackends -am -DskipTests package)
fi
if [[ ! -x "$SLUICE_DIST/bin/sluice" ]]; then
  [[ "$SLUICE_DIST" == "$REPO/packaging/distribution/target/sluice" ]] || {
    echo "soak.sh: no bin/sluice in SLUICE_DIST=$SLUICE_DIST" >&2; exit 1; }
  log "building the distribution"
  (cd "$REPO" && ./mvnw -q -B -ntp -pl packaging/distribution -am -DskipTests package)
fi
# The tools are small and must not compete with the daemon for the machine's cores.
TOOL_OPTS=(-XX:+UseSerialGC -Xmx512m -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=1)

# --- Process handling (only PIDs this script started) ---------------------------------------------
started=()
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port from $1 upwards that nothing listens on.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# Seconds since the load started.
elapsed() { awk -v t="$EPOCHREALTIME" -v t0="$T0" 'BEGIN { printf "%.1f", t - t0 }'; }

# --- Mock back ends --------------------------------------------------------------------------------
"$JAVA" "${TOOL_OPTS[@]}" -jar "$MOCK_JAR" --control 0 --otlp-grpc 0 --loki 0 >"$OUT/mock.out" 2>"$OUT/mock.err" &
MOCK_PID=$!; started+=("$MOCK_PID")
MOCK_READY=$(wait_ready "$OUT/mock.out" "$MOCK_PID")
CONTROL=http://127.0.0.1:$(port_of "$MOCK_READY" control)
mock_fail() { curl -fsS -X POST "$CONTROL/fail?status=$1&count=$2" >/dev/null; }

# --- The daemon ------------------------------------------------------------------------------------
RECEIVER_PORT=$(free_port "$PORT_BASE")
TELEMETRY_PORT=$(free_port $((RECEIVER_PORT + 1)))
METRICS_URL=http://127.0.0.1:$TELEMETRY_PORT/metrics
CONF=$OUT/soak.conf
exporter_options="sending_queue { storage = file_storage, queue_size = $QUEUE_SIZE }
    retry_on_failure { initial_interval = 1s, max_interval = 5s }"
cat >"$CONF" <<EOF
# Rendered by benchmarks/soak.sh on $RUN_DATE.
receivers {
  otlp { protocols { grpc { endpoint = "127.0.0.1:$RECEIVER_PORT" } } }
}
# One batch processor per pipeline: a single \`batch\` shared by the three pipelines makes
# /metrics fail (duplicate otelcol_processor_batch_metadata_cardinality series), and the soak
# reads the queue sizes from there.
processors {
  batch/traces {}
  batch/metrics {}
  batch/logs {}
}
extensions {
  file_storage { directory = "$OUT/queue" }
}
exporters {
  otlp {
    endpoint = "http://127.0.0.1:$(port_of "$MOCK_READY" otlp_grpc)"
    $exporter_options
  }
  loki {
    endpoint = "http://127.0.0.1:$(port_of "$MOCK_READY" loki)/loki/api/v1/push"
    $exporter_options
  }
}
service {
  extensions = [file_storage]
  telemetry { metrics { address = "127.0.0.1:$TELEMETRY_PORT" } }
  pipelines {
    traces { receivers = [otlp], processors = [batch/traces], exporters = [otlp] }
    metrics { receivers = [otlp], processors = [batch/metrics], exporters = [otlp] }
    logs { receivers = [otlp], processors = [batch/logs], exporters = [loki] }
  }
}
EOF
"$SLUICE_DIST/bin/sluice" validate --config "$CONF" >"$OUT/validate.out" 2>&1 || {
  cat "$OUT/validate.out" >&2; echo "soak.sh: sluice validate rejected $CONF" >&2; exit 1; }
# bin/sluice execs the JVM, so this PID is the daemon's and `wait` gives its exit status.
"$SLUICE_DIST/bin/sluice" run --config "$CONF" >"$OUT/daemon.log" 2>&1 &
DAEMON_PID=$!; started+=("$DAEMON_PID")
for _ in $(seq 1 600); do
  grep -q 'is running' "$OUT/daemon.log" && break
  kill -0 "$DAEMON_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q 'is running' "$OUT/daemon.log" || { tail -5 "$OUT/daemon.log" >&2; echo "soak.sh: the daemon did not start" >&2; exit 1; }

# scrape: "traces metrics logs storage_used_bytes heap_used_bytes direct_bytes" from /metrics, or
# nothing when the daemon does not answer.
scrape() {
  curl -fsS --max-time 5 "$METRICS_URL" 2>/dev/null | awk '
    /^otelcol_exporter_queue_size\{/ && match($0, /data_type="[a-z]+"/) { q[substr($0, RSTART + 11, RLENGTH - 12)] += $NF }
    /^sluice_file_storage_used_bytes/ { used += $NF }
    /^jvm_memory_used_bytes\{area="heap"/ { heap += $NF }
    /^jvm_buffer_pool_used_bytes\{pool="direct"/ { direct += $NF }
    END { if (NR) printf "%d %d %d %.0f %.0f %.0f\n", q["traces"], q["metrics"], q["logs"], used, heap, direct }' || true
}
CLK_TCK=$(getconf CLK_TCK)
# rss_cpu PID: "rss_mib cpu_s" from /proc.
rss_cpu() {
  local rss stat
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # utime and stime are fields 14 and 15; the command name before them is in parentheses.
  awk -v rss="$rss" -v tck="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.1f %.2f\n", rss / 1024, ($12 + $13) / tck }' <<<"$stat"
}

# The sampler: the queues every second (queue.csv, for the outage figures) and RSS, CPU, queues,
# storage, heap and load every 10 s (samples.csv).
sampler() {
  trap - EXIT
  trap 'exit 0' TERM
  echo "elapsed_s,queue_traces,queue_metrics,queue_logs,storage_used_bytes" >"$OUT/queue.csv"
  echo "elapsed_s,rss_mib,cpu_s,queue_traces,queue_metrics,queue_logs,queue_size,storage_used_bytes,heap_used_mib,direct_mib,load1" >"$OUT/samples.csv"
  local next=0 t m rc
  while kill -0 "$DAEMON_PID" 2>/dev/null; do
    t=$(elapsed)
    m=$(scrape)
    if [[ -n "$m" ]]; then
      read -r qt qm ql used heap direct <<<"$m"
      echo "$t,$qt,$qm,$ql,$used" >>"$OUT/queue.csv"
      if awk -v t="$t" -v n="$next" 'BEGIN { exit !(t >= n) }'; then
        rc=$(rss_cpu "$DAEMON_PID") || break
        read -r rss cpu <<<"$rc"
        echo "$t,$rss,$cpu,$qt,$qm,$ql,$((qt + qm + ql)),$used,$(calc '%.1f' "$heap / 1048576"),$(calc '%.1f' "$direct / 1048576"),$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/samples.csv"
        next=$((next + 10))
      fi
    fi
    sleep 1
  done
}

# --- The run ---------------------------------------------------------------------------------------
log "results in ${OUT#"$REPO"/}; ${DURATION}s of load at $RATE items/s per signal; outages of ${OUTAGE}s at ${OUTAGE_STARTS[*]:-none} s"
T0=$EPOCHREALTIME
sampler &
SAMPLER_PID=$!; started+=("$SAMPLER_PID")
declare -A LOADGEN_PID
for s in "${SIGNALS[@]}"; do
  "$JAVA" "${TOOL_OPTS[@]}" -jar "$LOADGEN_JAR" --endpoint "127.0.0.1:$RECEIVER_PORT" --signal "$s" \
    --rate "$RATE" --duration "${DURATION}s" >"$OUT/loadgen.$s.json" 2>"$OUT/loadgen.$s.err" &
  LOADGEN_PID[$s]=$!; started+=("$!")
done

echo "outage,start_s,end_s" >"$OUT/outages.csv"
daemon_died=0 mock_died=""
# The mock back ends are part of the measurement: a run without them says so instead of waiting.
mock_gone() {
  kill -0 "$MOCK_PID" 2>/dev/null && return 1
  local rc=0; wait "$MOCK_PID" || rc=$?
  mock_died="the mock back ends exited (status $rc) at $(elapsed) s"
  log "$mock_died"
}
next_outage=0 outage_on=0 outage_start=""
while :; do
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then daemon_died=1; log "the daemon died at $(elapsed) s"; break; fi
  mock_gone && break
  now=$(elapsed)
  if (( outage_on )) && awk -v n="$now" -v e="$((OUTAGE_STARTS[next_outage - 1] + OUTAGE))" 'BEGIN { exit !(n >= e) }'; then
    mock_fail 0 0
    outage_on=0
    echo "$next_outage,$outage_start,$(elapsed)" >>"$OUT/outages.csv"
    log "outage $next_outage over"
  elif (( !outage_on && next_outage < ${#OUTAGE_STARTS[@]} )) && awk -v n="$now" -v s="${OUTAGE_STARTS[next_outage]}" 'BEGIN { exit !(n >= s) }'; then
    mock_fail 503 -1
    outage_start=$(elapsed); outage_on=1; next_outage=$((next_outage + 1))
    log "outage $next_outage: the back ends answer 503 / UNAVAILABLE for ${OUTAGE}s"
  fi
  running=0
  for s in "${SIGNALS[@]}"; do kill -0 "${LOADGEN_PID[$s]}" 2>/dev/null && running=1; done
  (( running || outage_on )) || break
  sleep 0.5
done
LOAD_END=$(elapsed)
for s in "${SIGNALS[@]}"; do stop_pid "${LOADGEN_PID[$s]}"; done

# Drain: every queue empty, then the mock's counts steady.
drained=0 drain_s=""
if (( !daemon_died )) && [[ -z "$mock_died" ]]; then
  log "load over at ${LOAD_END} s; waiting up to ${DRAIN_TIMEOUT}s for the queues to drain"
  deadline=$(awk -v t="$LOAD_END" -v d="$DRAIN_TIMEOUT" 'BEGIN { print t + d }')
  while awk -v n="$(elapsed)" -v d="$deadline" 'BEGIN { exit !(n < d) }'; do
    m=$(scrape)
    if [[ -n "$m" ]] && awk '{ exit !($1 + $2 + $3 == 0) }' <<<"$m"; then
      drained=1; drain_s=$(awk -v n="$(elapsed)" -v e="$LOAD_END" 'BEGIN { printf "%.0f", n - e }'); break
    fi
    kill -0 "$DAEMON_PID" 2>/dev/null || { daemon_died=1; break; }
    mock_gone && break
    sleep 1
  done
fi
counts=""
if [[ -z "$mock_died" ]]; then
  counts=$(curl -fsS "$CONTROL/counts" || true)
  for _ in $(seq 1 10); do
    sleep 1
    again=$(curl -fsS "$CONTROL/counts" || true)
    [[ "$again" == "$counts" ]] && break
    counts=$again
  done
fi
echo "$counts" >"$OUT/mock-counts.json"
curl -fsS --max-time 5 "$METRICS_URL" >"$OUT/metrics-final.txt" 2>/dev/null || true
stop_pid "$SAMPLER_PID"
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)

# Stop: SIGTERM, then the exit status (within the daemon's 30 s shutdown_timeout and a margin).
exit_status="n/a (the daemon had died)" stop_s=""
if kill -0 "$DAEMON_PID" 2>/dev/null; then
  kill -TERM "$DAEMON_PID"
  stop_t0=$(elapsed)
  for _ in $(seq 1 600); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID"; exit_status="did not stop within 60 s of SIGTERM (killed)"
  else
    rc=0; wait "$DAEMON_PID" || rc=$?; exit_status=$rc
    stop_s=$(awk -v n="$(elapsed)" -v s="$stop_t0" 'BEGIN { printf "%.1f", n - s }')
  fi
else
  rc=0; wait "$DAEMON_PID" || rc=$?; exit_status="died with status $rc"
fi
stop_pid "$MOCK_PID"

# --- Figures ---------------------------------------------------------------------------------------
# metric NAME [LABEL_SUBSTRING]: the sum of a self-metric's series at the end of the run.
metric() {
  awk -v name="$1" -v sub_="${2:-}" '
    index($0, name) == 1 && substr($0, length(name) + 1, 1) ~ /[{ ]/ && (sub_ == "" || index($0, sub_)) { sum += $NF; found = 1 }
    END { printf (found ? "%.0f" : "n/a"), sum }' "$OUT/metrics-final.txt"
}
declare -A BACKEND=([traces]=otlp_grpc [metrics]=otlp_grpc [logs]=loki)
declare -A UNIT=([traces]=spans [metrics]=metric_points [logs]=log_records)
declare -A EXPORTER=([traces]=otlp [metrics]=otlp [logs]=loki)
total_lost=0
COUNT_ROWS="" METRIC_ROWS=""
for s in "${SIGNALS[@]}"; do
  lg=$(cat "$OUT/loadgen.$s.json" 2>/dev/null || true)
  [[ -n "$lg" ]] || log "loadgen $s printed no summary; see $OUT/loadgen.$s.err"
  sent=$(num "$lg" items_sent); acked=$(num "$lg" items_acked)
  refused=$(num "$lg" items_refused); failed=$(num "$lg" items_failed)
  u=${UNIT[$s]} e="exporter=\"${EXPORTER[$s]}\""
  METRIC_ROWS+="| $s | $(metric "otelcol_receiver_accepted_${u}_total") | $(metric "otelcol_receiver_refused_${u}_total") | $(metric "otelcol_exporter_sent_${u}_total" "$e") | $(metric "otelcol_exporter_send_failed_${u}_total" "$e") | $(metric "otelcol_exporter_enqueue_failed_${u}_total" "$e") | $(metric "sluice_exporter_queue_dropped_${u}_total" "$e") |"$'\n'
  if [[ -z "$counts" ]]; then
    COUNT_ROWS+="| $s | $sent | $acked | $refused | $failed | n/a | n/a | n/a | n/a |"$'\n'
    continue
  fi
  delivered=$(count "$counts" "${BACKEND[$s]}" "${UNIT[$s]}")
  # Delivered beyond acknowledged is either a request the loadgen got no OK for (refused after
  # the daemon had queued it, or timed out) or a batch sent twice (at-least-once); only the
  # not-acknowledged count bounds the first. Lost = acknowledged but never delivered.
  unacked=$((sent - acked))
  extra=$((delivered > acked ? delivered - acked : 0))
  unacked_delivered=$((extra < unacked ? extra : unacked))
  duplicated=$((extra - unacked_delivered))
  lost=$((acked > delivered ? acked - delivered : 0))
  total_lost=$((total_lost + lost))
  COUNT_ROWS+="| $s | $sent | $acked | $refused | $failed | $delivered | $unacked_delivered | $duplicated | $lost |"$'\n'
done
corrupt=$(metric sluice_file_storage_corrupt_records_total)
storage_end=$(metric sluice_file_storage_used_bytes)
[[ "$storage_end" == n/a ]] || storage_end="$(calc '%.1f' "$storage_end / 1048576") MiB"
# The heap in use climbs between full collections (batches held through an outage get promoted);
# what the old generation kept at its last collection is the live set, the figure a leak moves.
old_gen=$(awk '/^jvm_memory_pool_collection_used_bytes\{pool="(Tenured Gen|[A-Za-z0-9 ]*Old Gen)"\}/ { printf "%.1f MiB", $NF / 1048576; found = 1 } END { if (!found) print "n/a" }' "$OUT/metrics-final.txt")

# Outages from the 1 s queue series: "back to normal" is the 95th percentile of the total queue
# while the back ends were up before the first outage (after 20 s of start-up), at least 1 batch;
# a percentile, because the daemon's own warm-up can pile up a few seconds of batches.
OUTAGE_ROWS=$(awk -F, '
  FNR == 1 { next }
  FILENAME ~ /outages/ { n++; os[n] = $2; oe[n] = $3; next }
  { t[++m] = $1; q[m] = $2 + $3 + $4; st[m] = $5 }
  END {
    for (i = 1; i <= m; i++) {
      if (t[i] < 20 || (n > 0 && t[i] >= os[1])) continue
      # insertion sort: a few hundred values
      for (j = ++c; j > 1 && pre[j - 1] > q[i]; j--) pre[j] = pre[j - 1]
      pre[j] = q[i]
    }
    base = c ? pre[int(0.95 * (c - 1)) + 1] : 1
    if (base < 1) base = 1
    for (k = 1; k <= n; k++) {
      peak = 0; speak = 0; back = ""
      limit = (k < n) ? os[k + 1] : 1e18
      for (i = 1; i <= m; i++) {
        if (t[i] < os[k] || t[i] >= limit) continue
        if (back == "" && q[i] > peak) peak = q[i]
        if (back == "" && st[i] > speak) speak = st[i]
        if (back == "" && t[i] >= oe[k] && q[i] <= base) back = t[i] - oe[k]
      }
      printf "| %d | %.0f | %.0f | %d | %.1f | %s |\n", k, os[k], oe[k], peak, speak / 1048576, (back == "" ? "not back to normal before the next outage" : sprintf("%.0f s", back))
    }
    printf "BASE %d\n", base
  }' "$OUT/outages.csv" "$OUT/queue.csv")
QUEUE_BASE=$(sed -n 's/^BASE //p' <<<"$OUTAGE_ROWS")
OUTAGE_ROWS=$(grep -v '^BASE ' <<<"$OUTAGE_ROWS" || true)
LAST_OUTAGE_DRAIN=$(tail -1 <<<"$OUTAGE_ROWS" | awk -F'|' '{ gsub(/^ +| +$/, "", $7); print $7 }')
PEAK_QUEUE=$(awk -F'|' '$5 + 0 > p { p = $5 + 0 } END { print p + 0 }' <<<"$OUTAGE_ROWS")

# RSS: the second third of the load against the last third (the first third is warm-up).
read -r RSS_MID RSS_LAST RSS_PEAK CPU_END HEAP_MID HEAP_LAST SAMPLES <<<"$(awk -F, -v d="$LOAD_END" '
  NR == 1 { next }
  $1 <= d {
    if ($1 >= d / 3 && $1 < 2 * d / 3) { a += $2; na++; ha += $9 }
    if ($1 >= 2 * d / 3) { b += $2; nb++; hb += $9 }
    if ($2 > peak) peak = $2
    cpu = $3; n++
  }
  END { printf "%.1f %.1f %.1f %.1f %.1f %.1f %d\n", na ? a / na : 0, nb ? b / nb : 0, peak, cpu, na ? ha / na : 0, nb ? hb / nb : 0, n }' "$OUT/samples.csv")"
RSS_GROWTH=$(calc '%.1f' "$RSS_LAST - $RSS_MID")
RSS_GROWTH_PCT=$(awk -v a="$RSS_MID" -v b="$RSS_LAST" 'BEGIN { printf "%.1f", (a > 0 ? (b - a) / a * 100 : 0) }')
if awk -v g="$RSS_GROWTH_PCT" -v m="$RSS_MAX_GROWTH" 'BEGIN { exit !(g <= m) }'; then rss_verdict="flat"; else rss_verdict="**growing**"; fi
CPU_PCT=$(awk -v c="$CPU_END" -v d="$LOAD_END" 'BEGIN { printf "%.1f", (d > 0 ? c / d * 100 : 0) }')

# --- Summary ---------------------------------------------------------------------------------------
failures=()
(( total_lost == 0 )) || failures+=("$total_lost acknowledged items lost")
(( drained )) || failures+=("the queues did not drain within ${DRAIN_TIMEOUT}s")
(( !daemon_died )) || failures+=("the daemon died")
[[ -z "$mock_died" ]] || failures+=("$mock_died, so nothing could be counted (not a daemon failure)")
[[ -n "$counts" ]] || failures+=("no counts from the mock back ends")
[[ "$exit_status" == 0 ]] || failures+=("the daemon's stop: $exit_status")
verdict="PASS"; (( ${#failures[@]} == 0 )) || verdict="FAIL: $(IFS=';'; echo "${failures[*]}" | sed 's/;/; /g')"
ok() { if [[ "$1" == yes ]]; then echo "yes"; else echo "**no**"; fi; }
log_lines() { grep -c " $1 " "$OUT/daemon.log" || true; }

{
  echo "- Command: \`$COMMAND\` (raw results: \`benchmarks/target/soak/$(basename "$OUT")/\`)"
  echo "- Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); shared with other work"
  echo "- Load average (1/5/15 min) at start: $LOAD_AT_START; at end: $LOAD_AT_END; 1-min average over the run $(awk -F, 'NR > 1 { s += $11; n++ } END { printf "%.2f", n ? s / n : 0 }' "$OUT/samples.csv") (samples.csv)"
  echo "- Daemon: \`${SLUICE_DIST#"$REPO"/}/bin/sluice run\` with its default (sidecar) JVM flags; $("$SLUICE_DIST/runtime/bin/java" -version 2>&1 | head -1 || true)"
  echo "- Load: three loadgens (OTLP/gRPC, 100 items per request), $RATE items/s each of traces, metrics and logs, for ${LOAD_END%.*} s"
  echo "- Pipelines: \`otlp\` → \`batch\` → \`otlp\` (traces, metrics) and → \`loki\` (logs); persistent queues (\`file_storage\`, \`queue_size = $QUEUE_SIZE\`, retry 1 s to 5 s)"
  echo "- Outages: ${#OUTAGE_STARTS[@]} × ${OUTAGE} s every ${OUTAGE_EVERY} s, the mock back ends answering HTTP 503 / gRPC UNAVAILABLE"
  echo
  echo "| Check | Result |"
  echo "| --- | --- |"
  echo "| Nothing acknowledged lost | $(ok "$( (( total_lost == 0 )) && echo yes)") ($total_lost lost) |"
  echo "| Queues drained after the load | $(ok "$( (( drained )) && echo yes)") $( (( drained )) && echo "(in $drain_s s)" || echo "(not within ${DRAIN_TIMEOUT} s)") |"
  echo "| Daemon alive to the end, SIGTERM exit status 0 | $(ok "$( [[ "$exit_status" == 0 ]] && echo yes)") ($exit_status${stop_s:+, stopped in $stop_s s}) |"
  echo "| RSS flat (growth ≤ ${RSS_MAX_GROWTH}%, second third vs last third) | $rss_verdict: $RSS_MID → $RSS_LAST MiB, $RSS_GROWTH MiB ($RSS_GROWTH_PCT%) |"
  echo
  echo "Counts (items; sent/acknowledged/refused/failed from the loadgens, delivered from the mock back ends):"
  echo
  echo "| Signal | Sent | Acknowledged | Refused | Failed (no answer) | Delivered | Unacknowledged but delivered (at most) | Duplicated (at least) | Lost |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s' "$COUNT_ROWS"
  echo
  echo "The daemon's self-metrics at the end (items):"
  echo
  echo "| Signal | receiver accepted | receiver refused | exporter sent | send failed | enqueue failed | queue dropped |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s' "$METRIC_ROWS"
  echo
  echo "Corrupt queue records: $corrupt. Storage used once drained: $storage_end. Daemon log: $(log_lines WARN) WARN, $(log_lines ERROR) ERROR lines."
  echo
  echo "Outages (queue in batches, summed over the three queues; normal load keeps up to $QUEUE_BASE):"
  echo
  echo "| # | Start (s) | End (s) | Peak queue | Peak storage (MiB) | Back to ≤ $QUEUE_BASE after the end |"
  echo "| --- | --- | --- | --- | --- | --- |"
  [[ -n "$OUTAGE_ROWS" ]] && echo "$OUTAGE_ROWS"
  echo
  echo "- Peak queue during outages: $PEAK_QUEUE batches; back to normal after the last outage: ${LAST_OUTAGE_DRAIN:-n/a}; empty $( (( drained )) && echo "$drain_s s after the load stopped" || echo "never")"
  echo "- RSS: peak $RSS_PEAK MiB; average $RSS_MID MiB in the second third, $RSS_LAST MiB in the last third ($SAMPLES samples, every 10 s); heap in use (average) $HEAP_MID → $HEAP_LAST MiB; old generation after its last collection: $old_gen"
  echo "- CPU: $CPU_END s over ${LOAD_END%.*} s of load, $CPU_PCT% of one core on average"
} >"$OUT/summary-body.md"
{ echo "# Soak run $RUN_DATE: $verdict"; echo; cat "$OUT/summary-body.md"; } >"$OUT/summary.md"
cat "$OUT/summary.md"
log "summary in ${OUT#"$REPO"/}/summary.md"
if (( write )); then
  { echo "Run $RUN_DATE: **$verdict**"; echo; cat "$OUT/summary-body.md"; } >"$OUT/soak-section.md"
  replace_between "$MARKDOWN" soak "$OUT/soak-section.md"
  log "rewrote the soak section of ${MARKDOWN#"$REPO"/}"
fi
[[ "$verdict" == PASS ]]
