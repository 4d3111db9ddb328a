#!/usr/bin/env bash
# Runs Sluice's benchmark scenarios against the built distribution and rewrites the tables in
# BENCHMARKS.md. See benchmarks/README.md.
#
#   benchmarks/run.sh [--smoke] [--profile] [--write|--no-write] [scenario...]
#
# --profile records a JFR profile of the daemon in each scenario and writes the hottest methods
# into BENCHMARKS.md's profile section instead of the tables (profiling costs CPU).
#
# Environment: SLUICE_DIST (default packaging/distribution/target/sluice), BENCH_DURATION (measured
# window, default 60s), BENCH_WARMUP (load before measuring, default 120s: the JVM's JIT compiler works
# through the first two minutes; each row notes what it still spent), BENCH_CONCURRENCY (senders
# in traces-saturation, default 100), BENCH_SERIES (side-by-side sizes, default "10000 100000 1000000"),
# BENCH_SCRAPE_INTERVAL (default 15s), BENCH_SIDE_PROFILE (the daemon's SLUICE_PROFILE in the
# side-by-side: sidecar, with -Xmx of 640 MiB per million series and at least 256m, or gateway),
# BENCH_SIDE_PROMETHEUS (0: the side-by-side measures Sluice only),
# BENCH_PORT_BASE (daemon receiver port, default 24317), BENCH_MARKDOWN (file to rewrite, default
# BENCHMARKS.md at the repository root), BENCH_JMH_INCLUDE (jmh: a JMH benchmark regexp; the JMH
# table keeps the other benchmarks' rows).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"
ALL_SCENARIOS=(traces-10k metrics-10k logs-10k traces-saturation traces-10k-file-storage
  traces-saturation-file-storage otlp-to-jaeger otlp-to-jaeger-saturation otlp-to-loki scrape-to-remote-write idle
  prometheus-agent-side-by-side jmh)
OTELCOL_SOURCE="[otelcol testbed](https://opentelemetry.io/docs/collector/benchmarks/)"

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  echo "Scenarios: ${ALL_SCENARIOS[*]}"
}

smoke=0
profile=0
write=""
scenarios=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --profile) profile=1 ;;
    --write) write=1 ;;
    --no-write) write=0 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
    *)
      if [[ " ${ALL_SCENARIOS[*]} " != *" $arg "* ]]; then
        echo "run.sh: unknown scenario '$arg' (expected one of: ${ALL_SCENARIOS[*]})" >&2
        exit 2
      fi
      scenarios+=("$arg") ;;
  esac
done
(( ${#scenarios[@]} )) || scenarios=("${ALL_SCENARIOS[@]}")

seconds() { local v=${1%s}; [[ "$v" =~ ^[0-9]+$ ]] || { echo "run.sh: '$1' (expected: whole seconds, e.g. 60s)" >&2; exit 2; }; echo "$v"; }
if (( smoke )); then
  # A smoke run keeps the plumbing working: 10 s per scenario, smallest side-by-side size.
  WARMUP=2; DURATION=8
  SERIES=${BENCH_SERIES:-10000}; SCRAPE_INTERVAL=${BENCH_SCRAPE_INTERVAL:-2s}
  write=${write:-0}
else
  WARMUP=$(seconds "${BENCH_WARMUP:-120s}"); DURATION=$(seconds "${BENCH_DURATION:-60s}")
  SERIES=${BENCH_SERIES:-10000 100000 1000000}; SCRAPE_INTERVAL=${BENCH_SCRAPE_INTERVAL:-15s}
  write=${write:-1}
fi
CONCURRENCY=${BENCH_CONCURRENCY:-100}
SIDE_PROFILE=${BENCH_SIDE_PROFILE:-sidecar}
PORT_BASE=${BENCH_PORT_BASE:-24317}
RECEIVER_PORT=$PORT_BASE
PROM_WEB_PORT=$((PORT_BASE + 1))
RECEIVER_HTTP_PORT=$((PORT_BASE + 2))
TELEMETRY_PORT=$((PORT_BASE + 3))
SLUICE_DIST=${SLUICE_DIST:-$REPO/packaging/distribution/target/sluice}
[[ "$SLUICE_DIST" = /* ]] || SLUICE_DIST=$REPO/$SLUICE_DIST
MARKDOWN=${BENCH_MARKDOWN:-$REPO/BENCHMARKS.md}
RUN_DATE=$(date -u +%Y-%m-%dT%H:%MZ)
# Other work on the machine skews every figure; the load average says how much there was.
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMAND="benchmarks/run.sh $*"
OUT=$BENCH_DIR/target/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

# --- Java and the tools --------------------------------------------------------------------------
JAVA=$(find_java)
TOOLS=(loadgen/target/loadgen.jar mockbackends/target/mockbackends.jar promtarget/target/promtarget.jar jmh/target/jmh-benchmarks.jar)
for t in "${TOOLS[@]}"; do
  if [[ ! -f "$BENCH_DIR/$t" ]]; then
    log "building the benchmark tools (missing $t)"
    (cd "$REPO" && ./mvnw -q -B -pl benchmarks/loadgen,benchmarks/mockbackends,benchmarks/promtarget,benchmarks/jmh -am -DskipTests package)
    break
  fi
done
LOADGEN_JAR=$BENCH_DIR/loadgen/target/loadgen.jar
MOCK_JAR=$BENCH_DIR/mockbackends/target/mockbackends.jar
PROMTARGET_JAR=$BENCH_DIR/promtarget/target/promtarget.jar
# The tools are small and must not compete with the daemon for the machine's cores.
TOOL_OPTS=(-XX:+UseSerialGC -Xmx512m -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=1)

# --- Process handling (only PIDs this script started) --------------------------------------------
started=()
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
  local port=$1 pid=$2
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_mock() { # name, mock flags... -> sets MOCK_PID, MOCK_READY
  local name=$1; shift
  "$JAVA" "${TOOL_OPTS[@]}" -jar "$MOCK_JAR" --control 0 "$@" >"$OUT/$name.mock.out" 2>"$OUT/$name.mock.err" &
  MOCK_PID=$!; started+=("$MOCK_PID")
  MOCK_READY=$(wait_ready "$OUT/$name.mock.out" "$MOCK_PID")
}
mock_counts() { curl -fsS "http://127.0.0.1:$(port_of "$MOCK_READY" control)/counts"; }
mock_reset() { curl -fsS -X POST "http://127.0.0.1:$(port_of "$MOCK_READY" control)/reset" >/dev/null; }

# --- The daemon ----------------------------------------------------------------------------------
daemon_cmd=()
if [[ -x "$SLUICE_DIST/bin/sluice" ]]; then
  daemon_cmd=("$SLUICE_DIST/bin/sluice")
elif compgen -G "$SLUICE_DIST/lib/*.jar" >/dev/null; then
  daemon_cmd=("$JAVA" -cp "$SLUICE_DIST/lib/*" io.sluice.cli.Main)
fi

render() { # template, output: replaces the @...@ placeholders with this run's values
  sed -e "s/@RECEIVER_PORT@/$RECEIVER_PORT/g" \
      -e "s/@RECEIVER_HTTP_PORT@/$RECEIVER_HTTP_PORT/g" \
      -e "s/@TELEMETRY_PORT@/$TELEMETRY_PORT/g" \
      -e "s/@OTLP_GRPC_PORT@/$(port_of "${MOCK_READY:-}" otlp_grpc)/g" \
      -e "s/@JAEGER_HTTP_PORT@/$(port_of "${MOCK_READY:-}" jaeger_http)/g" \
      -e "s/@LOKI_PORT@/$(port_of "${MOCK_READY:-}" loki)/g" \
      -e "s/@REMOTE_WRITE_PORT@/$(port_of "${MOCK_READY:-}" remote_write)/g" \
      -e "s/@PROMTARGET_PORT@/${PROMTARGET_PORT:-0}/g" \
      -e "s/@SCRAPE_INTERVAL@/$SCRAPE_INTERVAL/g" \
      -e "s#@QUEUE_DIR@#$OUT/queue-${CURRENT:-none}#g" "$1" >"$2"
}

# The real JVM under a launcher script that did not exec it.
java_pid_of() {
  local p=$1 child
  for _ in 1 2 3 4; do
    [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == java ]] && break
    child=$(pgrep -P "$p" | head -1 || true)
    [[ -n "$child" ]] || break
    p=$child
  done
  echo "$p"
}

daemon_last_words() { grep -v '^WARNING\|^\s*$' "$OUT/$1.daemon.log" | tail -1 | cut -c1-200 || true; }

# start_daemon NAME: sets DAEMON_PID (the JVM) or SKIP_REASON.
start_daemon() {
  local name=$1 conf=$OUT/$1.conf out
  SKIP_REASON=""
  if (( ${#daemon_cmd[@]} == 0 )); then
    SKIP_REASON="no Sluice distribution at ${SLUICE_DIST#"$REPO"/} (no bin/sluice, no lib/*.jar)"
    return 1
  fi
  render "$BENCH_DIR/scenarios/$name.conf" "$conf"
  # A component missing from the distribution shows up as a config error: report it, never fake.
  if out=$("${daemon_cmd[@]}" validate --config "$conf" 2>&1); then :; else
    if ! grep -qiE 'unmatched argument|unknown (sub)?command' <<<"$out"; then
      local missing
      missing=$(sed -n 's/.*unknown \([a-z]*\) type "\([^"]*\)".*/\1 \2/p' <<<"$out" | paste -sd, - | sed 's/,/, /g')
      if [[ -n "$missing" ]]; then
        SKIP_REASON="not in the distribution yet: $missing (sluice validate)"
      else
        SKIP_REASON="config rejected by sluice validate: $(grep -m1 -v '^\s*$' <<<"$out" | sed 's/^[^ ]*: //' | cut -c1-160)"
      fi
      return 1
    fi
  fi
  local jfr_opts=()
  (( profile )) && jfr_opts=("-XX:StartFlightRecording=filename=$OUT/$name.jfr,settings=profile,dumponexit=true")
  if [[ "${daemon_cmd[0]}" == "$JAVA" ]]; then
    "$JAVA" "${jfr_opts[@]}" "${daemon_cmd[@]:1}" run --config "$conf" >"$OUT/$name.daemon.log" 2>&1 &
  else
    SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:-} ${jfr_opts[*]}" "${daemon_cmd[@]}" run --config "$conf" >"$OUT/$name.daemon.log" 2>&1 &
  fi
  local launcher=$!; started+=("$launcher")
  # Ready when its telemetry port is open and the log says it runs (every component started).
  if wait_port "$TELEMETRY_PORT" "$launcher"; then
    for _ in $(seq 1 300); do
      grep -q 'is running' "$OUT/$name.daemon.log" && break
      kill -0 "$launcher" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$launcher" 2>/dev/null; then
      DAEMON_PID=$(java_pid_of "$launcher"); started+=("$DAEMON_PID")
      return 0
    fi
  fi
  SKIP_REASON="daemon did not start: $(daemon_last_words "$name")"
  stop_pid "$launcher"
  return 1
}

# --- Metering ------------------------------------------------------------------------------------
# measure PID BACKEND UNIT: meters PID for DURATION s, sets METER (procmeter JSON) and DELIVERED
# (items the mock counted during the window).
measure() {
  local pid=$1 before after
  before=$(mock_counts)
  METER=$("$JAVA" "${TOOL_OPTS[@]}" -cp "$LOADGEN_JAR" io.sluice.bench.procmeter.ProcMeter \
    --pid "$pid" --duration "${DURATION}s" --out "$OUT/$CURRENT.meter.json")
  after=$(mock_counts)
  ALIVE=1
  kill -0 "$pid" 2>/dev/null || ALIVE=0
  DELIVERED=$(( $(count "$after" "$2" "$3") - $(count "$before" "$2" "$3") ))
}

fmt() { LC_ALL=C awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
div() { LC_ALL=C awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (b == 0) print "n/a"; else printf f, a / b }'; }

published() {
  case $1 in
    traces-10k) echo "5.4–6.2% CPU, 51–78 MiB — $OTELCOL_SOURCE" ;;
    logs-10k) echo "10.5% CPU, 54 MiB — $OTELCOL_SOURCE" ;;
    otlp-to-jaeger) echo "≈10.6% CPU (its Jaeger gRPC path) — $OTELCOL_SOURCE" ;;
    idle) echo "≈0.5% CPU, 45 MiB — $OTELCOL_SOURCE" ;;
    *) echo "no published figure" ;;
  esac
}

ROWS=$OUT/rows.md
: >"$ROWS"
row() { echo "| $CURRENT | $RUN_DATE | $* | $(published "$CURRENT") |" | tee -a "$ROWS" >&2; }
skip_row() { row "skipped: $1 | | | |"; }
result_row() { # items-per-second-or-dash, loadgen summary
  if (( ! ALIVE )); then
    row "failed: the daemon exited during the window: $(daemon_last_words "$CURRENT") | | | |"
    return
  fi
  local cpu_s pct avg peak
  cpu_s=$(num "$METER" cpu_s); pct=$(num "$METER" cpu_pct_one_core)
  avg=$(num "$METER" rss_avg_mib); peak=$(num "$METER" rss_peak_mib)
  local per_million; per_million=$(div "$cpu_s" "$(div "$DELIVERED" 1000000 '%.6f')" '%.2f')
  [[ "$DELIVERED" == 0 ]] && per_million="n/a (nothing delivered)"
  # The JIT compiler's share: what the JVM still spends compiling hot code after the warm-up, and
  # what compiling cost since the daemon started (a one-time cost a long-running daemon amortises).
  local jit jit_total
  jit=$(div "$(num "$METER" jit_cpu_s)" "$(div "$cpu_s" 100 '%.6f')" '%.0f'); jit_total=$(fmt "$(num "$METER" jit_cpu_s_since_start)" '%.1f')
  row "$1 | $(fmt "$pct" '%.2f') | $per_million | $(fmt "$avg" '%.0f') / $(fmt "$peak" '%.0f') | $2; JIT compiler threads: ${jit}% of the window's CPU, ${jit_total} CPU-s since start"
}

# --- Scenarios -----------------------------------------------------------------------------------
# load_scenario SIGNAL MOCK_FLAG BACKEND UNIT LOADGEN_FLAGS...
load_scenario() {
  local signal=$1 flag=$2 backend=$3 unit=$4; shift 4
  if (( ${#daemon_cmd[@]} == 0 )); then start_daemon "$CURRENT" || skip_row "$SKIP_REASON"; return; fi
  start_mock "$CURRENT" "$flag" 0
  if ! start_daemon "$CURRENT"; then skip_row "$SKIP_REASON"; stop_pid "$MOCK_PID"; return; fi
  "$JAVA" "${TOOL_OPTS[@]}" -jar "$LOADGEN_JAR" --endpoint "127.0.0.1:$RECEIVER_PORT" --signal "$signal" \
    --duration "$((WARMUP + DURATION))s" "$@" >"$OUT/$CURRENT.loadgen.json" 2>"$OUT/$CURRENT.loadgen.err" &
  local lg=$!; started+=("$lg")
  sleep "$WARMUP"
  measure "$DAEMON_PID" "$backend" "$unit"
  wait "$lg" || true
  local summary; summary=$(cat "$OUT/$CURRENT.loadgen.json")
  result_row "$(div "$DELIVERED" "$DURATION" '%.0f')" \
    "$DELIVERED in window; loadgen acked $(num "$summary" items_acked), refused $(num "$summary" items_refused), failed $(num "$summary" items_failed)"
  stop_pid "$DAEMON_PID"; stop_pid "$MOCK_PID"
  hot_methods
}

PROFILES=$OUT/profiles.md
: >"$PROFILES"
# The hottest methods of this scenario's JFR recording (written when the daemon exited).
hot_methods() {
  (( profile )) || return 0
  local jfr_tool; jfr_tool=$(dirname "$(readlink -f "$JAVA")")/jfr
  [[ -f "$OUT/$CURRENT.jfr" && -x "$jfr_tool" ]] || { echo "- $CURRENT: no recording" >>"$PROFILES"; return 0; }
  {
    echo "### $CURRENT ($RUN_DATE, \`$COMMAND\`)"
    echo
    echo '```'
    "$jfr_tool" view --width 150 hot-methods "$OUT/$CURRENT.jfr" 2>&1 | sed -n '1,20p'
    echo '```'
    echo
  } >>"$PROFILES"
}

idle_scenario() {
  if (( ${#daemon_cmd[@]} == 0 )); then start_daemon "$CURRENT" || skip_row "$SKIP_REASON"; return; fi
  start_mock "$CURRENT" --otlp-grpc 0
  if ! start_daemon "$CURRENT"; then skip_row "$SKIP_REASON"; stop_pid "$MOCK_PID"; return; fi
  sleep "$WARMUP"
  measure "$DAEMON_PID" otlp_grpc spans
  result_row "0 (no load)" "idle"
  stop_pid "$DAEMON_PID"; stop_pid "$MOCK_PID"
}

start_promtarget() { # series
  "$JAVA" "${TOOL_OPTS[@]}" -jar "$PROMTARGET_JAR" --series "$1" --port 0 >"$OUT/$CURRENT.promtarget.out" 2>&1 &
  PROMTARGET_PID=$!; started+=("$PROMTARGET_PID")
  PROMTARGET_PORT=$(port_of "$(wait_ready "$OUT/$CURRENT.promtarget.out" "$PROMTARGET_PID")" port)
}

scrape_scenario() {
  if (( ${#daemon_cmd[@]} == 0 )); then start_daemon "$CURRENT" || skip_row "$SKIP_REASON"; return; fi
  start_mock "$CURRENT" --remote-write 0
  start_promtarget 10000
  if ! start_daemon "$CURRENT"; then
    skip_row "$SKIP_REASON"
  else
    sleep "$WARMUP"
    measure "$DAEMON_PID" remote_write samples
    result_row "$(div "$DELIVERED" "$DURATION" '%.0f')" "$DELIVERED samples in window; 10000 series every $SCRAPE_INTERVAL"
    stop_pid "$DAEMON_PID"
  fi
  stop_pid "$PROMTARGET_PID"; stop_pid "$MOCK_PID"
}

SIDE=$OUT/side-by-side.md
: >"$SIDE"
# side_row SERIES AGENT [NOTES_FUNCTION]: meters the running agent (AGENT_PID) and appends its row; sets SIDE_CPU, SIDE_RSS.
side_row() {
  local series=$1 agent=$2
  sleep "$WARMUP"
  measure "$AGENT_PID" remote_write samples
  if (( ! ALIVE )); then
    local why=""
    [[ "$agent" == Sluice ]] && why=": $(daemon_last_words scrape-to-remote-write)"
    echo "| $series | $agent | $RUN_DATE | failed: exited during the window$why | | | | |" | tee -a "$SIDE" >&2
    SIDE_CPU=""; SIDE_RSS=""
    return
  fi
  local cpu_s rss_bytes per_million per_series
  cpu_s=$(num "$METER" cpu_s); rss_bytes=$(LC_ALL=C awk -v m="$(num "$METER" rss_avg_mib)" 'BEGIN { printf "%.0f", m * 1048576 }')
  per_million=$(div "$cpu_s" "$(div "$DELIVERED" 1000000 '%.6f')" '%.2f')
  per_series=$(div "$rss_bytes" "$series" '%.0f')
  SIDE_CPU=$per_million; SIDE_RSS=$per_series
  local notes=""
  [[ -n "${3:-}" ]] && notes=$("$3")
  echo "| $series | $agent | $RUN_DATE | $DELIVERED | $per_million | $(fmt "$(num "$METER" rss_avg_mib)" '%.0f') | $per_series | $notes |" | tee -a "$SIDE" >&2
}

# What Prometheus says about its remote write at the end of the window: explains a short delivery.
prometheus_notes() {
  curl -fsS "http://127.0.0.1:$PROM_WEB_PORT/metrics" 2>/dev/null | LC_ALL=C awk '
    /^prometheus_remote_storage_samples_in_total / { samples_in += $2 }
    /^prometheus_remote_storage_samples_pending/ { pending += $2 }
    /^prometheus_remote_storage_samples_failed_total/ { failed += $2 }
    END { printf "since its start: %d samples into its remote write; at window end %d pending, %d failed", samples_in, pending, failed }' || true
  local last
  last=$(curl -fsS "http://127.0.0.1:$PROM_WEB_PORT/api/v1/targets" 2>/dev/null | grep -o '"lastScrapeDuration":[0-9.e+-]*' | cut -d: -f2 || true)
  [[ -n "$last" ]] && echo "; last scrape took $(fmt "$last" '%.1f') s"
  return 0
}

# The side-by-side's heap for the sidecar profile: 640 MiB per million series, at least the
# profile's 256 MiB (what a million series needs: benchmarks/README.md).
side_heap_mib() { local m=$(( $1 * 640 / 1000000 )); echo $(( m > 256 ? m : 256 )); }

side_by_side_scenario() {
  local prometheus; prometheus=$(command -v prometheus || true)
  # BENCH_SIDE_PROMETHEUS=0 measures Sluice alone, e.g. while trying heap sizes.
  [[ ${BENCH_SIDE_PROMETHEUS:-1} == 0 ]] && prometheus=""
  for series in $SERIES; do
    start_mock "$CURRENT" --remote-write 0
    start_promtarget "$series"
    local sluice_cpu="" sluice_rss="" prom_cpu="" prom_rss=""
    # The sidecar's 256 MiB heap holds a few hundred thousand series; whoever replaces an agent
    # scraping a million raises -Xmx (or runs the gateway profile). See benchmarks/README.md.
    local saved_opts=${SLUICE_JAVA_OPTS:-}
    export SLUICE_PROFILE=$SIDE_PROFILE
    if [[ $SIDE_PROFILE == sidecar ]]; then
      export SLUICE_JAVA_OPTS="-Xmx$(side_heap_mib "$series")m $saved_opts"
    fi
    if start_daemon scrape-to-remote-write; then
      AGENT_PID=$DAEMON_PID
      side_row "$series" Sluice
      sluice_cpu=$SIDE_CPU; sluice_rss=$SIDE_RSS
      stop_pid "$DAEMON_PID"
    else
      echo "| $series | Sluice | $RUN_DATE | skipped: $SKIP_REASON | | | | |" | tee -a "$SIDE" >&2
    fi
    unset SLUICE_PROFILE
    SLUICE_JAVA_OPTS=$saved_opts
    mock_reset
    if [[ -n "$prometheus" ]]; then
      render "$BENCH_DIR/scenarios/prometheus-agent.yml" "$OUT/prometheus-agent.yml"
      rm -rf "$OUT/prometheus-agent-data"
      "$prometheus" --enable-feature=agent --config.file="$OUT/prometheus-agent.yml" \
        --storage.agent.path="$OUT/prometheus-agent-data" --web.listen-address="127.0.0.1:$PROM_WEB_PORT" \
        >"$OUT/$CURRENT.$series.prometheus.log" 2>&1 &
      AGENT_PID=$!; started+=("$AGENT_PID")
      if wait_port "$PROM_WEB_PORT" "$AGENT_PID"; then
        side_row "$series" "Prometheus agent ($("$prometheus" --version 2>&1 | head -1 | awk '{print $3}'))" prometheus_notes
        prom_cpu=$SIDE_CPU; prom_rss=$SIDE_RSS
      else
        echo "| $series | Prometheus agent | $RUN_DATE | skipped: did not start, see its log | | | | |" | tee -a "$SIDE" >&2
      fi
      stop_pid "$AGENT_PID"
    elif [[ ${BENCH_SIDE_PROMETHEUS:-1} == 0 ]]; then
      echo "| $series | Prometheus agent | $RUN_DATE | skipped: BENCH_SIDE_PROMETHEUS=0 | | | | |" | tee -a "$SIDE" >&2
    else
      echo "| $series | Prometheus agent | $RUN_DATE | skipped: Debian's prometheus is not installed (apt-get install prometheus) | | | | |" | tee -a "$SIDE" >&2
    fi
    local ratio_cpu ratio_rss
    if [[ "$sluice_cpu" =~ ^[0-9.]+$ && "$prom_cpu" =~ ^[0-9.]+$ ]]; then ratio_cpu=$(div "$sluice_cpu" "$prom_cpu" '%.2f'); else ratio_cpu="n/a"; fi
    if [[ "$sluice_rss" =~ ^[0-9.]+$ && "$prom_rss" =~ ^[0-9.]+$ ]]; then ratio_rss=$(div "$sluice_rss" "$prom_rss" '%.2f'); else ratio_rss="n/a"; fi
    echo "| $series | **Sluice / Prometheus** | $RUN_DATE | | **$ratio_cpu** | | **$ratio_rss** | |" | tee -a "$SIDE" >&2
    stop_pid "$PROMTARGET_PID"; stop_pid "$MOCK_PID"
  done
}

JMH_TABLE=$OUT/jmh.md
: >"$JMH_TABLE"
jmh_scenario() {
  local opts=()
  (( smoke )) && opts=(-wi 1 -w 1s -i 1 -r 1s)
  # BENCH_JMH_INCLUDE (JMH's benchmark regexp) runs only some benchmarks; BENCHMARKS.md keeps the
  # rows of the others from their earlier runs.
  "$JAVA" -jar "$BENCH_DIR/jmh/target/jmh-benchmarks.jar" -prof gc -rf csv -rff "$OUT/jmh.csv" "${opts[@]}" \
    ${BENCH_JMH_INCLUDE:+"$BENCH_JMH_INCLUDE"} >"$OUT/jmh.log" 2>&1
  # CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: signal",
  # strings quoted, numbers not; benchmark names hold no commas.
  LC_ALL=C awk -F, -v date="$RUN_DATE" '
    NR == 1 { next }
    {
      gsub(/"/, "")
      name = $1; param = ""
      for (i = 8; i <= NF; i++) {
        gsub(/[ \r]/, "", $i)
        if ($i != "") param = param (param == "" ? "" : ", ") $i
      }
      if (name ~ /:gc.alloc.rate.norm$/) { sub(/:gc.alloc.rate.norm$/, "", name); alloc[name "|" param] = $5; next }
      if (name ~ /:/) next
      key = name "|" param; keys[++n] = key; score[key] = $5; err[key] = $6
    }
    END {
      for (i = 1; i <= n; i++) {
        k = keys[i]; split(k, part, "|"); short = part[1]; sub(/^.*\.bench\.jmh\./, "", short)
        printf "| %s | %s | %s | %.1f ± %s | %s |\n", short, part[2], date, score[k], (err[k] == "NaN" ? "n/a" : sprintf("%.1f", err[k])), (k in alloc ? sprintf("%.0f", alloc[k]) : "n/a")
      }
    }' "$OUT/jmh.csv" | tee -a "$JMH_TABLE" >&2
}

log "results in ${OUT#"$REPO"/}; distribution: ${SLUICE_DIST#"$REPO"/}$( (( ${#daemon_cmd[@]} )) || echo ' (absent)'); window ${DURATION}s after ${WARMUP}s warm-up"
for CURRENT in "${scenarios[@]}"; do
  log "scenario $CURRENT"
  case $CURRENT in
    traces-10k) load_scenario traces --otlp-grpc otlp_grpc spans --rate 10000 ;;
    metrics-10k) load_scenario metrics --otlp-grpc otlp_grpc metric_points --rate 10000 ;;
    logs-10k) load_scenario logs --otlp-grpc otlp_grpc log_records --rate 10000 ;;
    traces-saturation) load_scenario traces --otlp-grpc otlp_grpc spans --concurrency "$CONCURRENCY" ;;
    traces-10k-file-storage) load_scenario traces --otlp-grpc otlp_grpc spans --rate 10000 ;;
    traces-saturation-file-storage) load_scenario traces --otlp-grpc otlp_grpc spans --concurrency "$CONCURRENCY" ;;
    otlp-to-jaeger) load_scenario traces --jaeger-http jaeger_http spans --rate 10000 ;;
    otlp-to-jaeger-saturation) load_scenario traces --jaeger-http jaeger_http spans --concurrency "$CONCURRENCY" ;;
    otlp-to-loki) load_scenario logs --loki loki log_records --rate 10000 ;;
    scrape-to-remote-write) scrape_scenario ;;
    idle) idle_scenario ;;
    prometheus-agent-side-by-side) side_by_side_scenario ;;
    jmh) jmh_scenario ;;
  esac
done

# --- BENCHMARKS.md -------------------------------------------------------------------------------
machine() {
  local jdk="none found"
  if (( ${#daemon_cmd[@]} )); then
    local dj=$JAVA
    for cand in "$SLUICE_DIST"/runtime/bin/java "$SLUICE_DIST"/jre/bin/java "$SLUICE_DIST"/bin/java; do
      [[ -x "$cand" ]] && { dj=$cand; break; }
    done
    jdk=$("$dj" -version 2>&1 | head -1)
  fi
  echo "- Last run: $RUN_DATE, \`$COMMAND\` (window ${DURATION}s after ${WARMUP}s warm-up$( (( smoke )) && echo ', smoke'))"
  echo "- CPU: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "- Kernel: $(uname -sr)"
  echo "- Load average (1/5/15 min) at start: $LOAD_AT_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Daemon JDK: $jdk"
  echo "- Tools JDK: $("$JAVA" -version 2>&1 | head -1)"
  echo "- Prometheus: $( (command -v prometheus >/dev/null && prometheus --version 2>&1 | head -1) || echo 'not installed')"
}

# The speed targets the component issues set, checked against the tables as they now stand in
# BENCHMARKS.md (rows of earlier runs included): scenario|cpu% max|peak MiB max|CPU-s per million max|issue.
TARGETS=(
  "traces-10k|3|78||#3 (OTLP in and out)"
  "traces-saturation|||2|#3 (OTLP in and out)"
  "otlp-to-loki|5|80||#6 (Loki)"
  "otlp-to-jaeger|4|||#7 (Jaeger)"
  "otlp-to-jaeger-saturation|||3|#7 (Jaeger)"
  "idle|0.5|60||#9 (packaging)"
)
targets_section() {
  local md=$1
  echo "| Scenario | Target (issue) | Measured | Verdict |"
  echo "| --- | --- | --- | --- |"
  local t name cpu_max rss_max per_m_max issue row
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r name cpu_max rss_max per_m_max issue <<<"$t"
    row=$(sed -n '/<!-- scenarios:begin -->/,/<!-- scenarios:end -->/p' "$md" | grep -m1 "^| $name |" || true)
    [[ -n "$row" ]] || continue
    LC_ALL=C awk -F'|' -v cpu_max="$cpu_max" -v rss_max="$rss_max" -v pm_max="$per_m_max" -v issue="$issue" '
      function trim(x) { gsub(/^ +| +$/, "", x); return x }
      {
        name = trim($2); date = trim($3); rate = trim($4); cpu = trim($5); pm = trim($6); rss = trim($7)
        split(rss, r, " / "); peak = r[2]
        goal = ""; got = ""; miss = ""
        if (cpu_max != "") { goal = goal "≤ " cpu_max "% of one core"; got = got cpu "%"; if (cpu + 0 > cpu_max + 0) miss = miss " CPU" }
        if (rss_max != "") { goal = goal ", ≤ " rss_max " MiB peak RSS"; got = got ", " peak " MiB"; if (peak + 0 > rss_max + 0) miss = miss " RSS" }
        if (pm_max != "") { goal = goal "≤ " pm_max " CPU-s per million items"; got = got pm " CPU-s/M"; if (pm !~ /^[0-9.]+$/ || pm + 0 > pm_max + 0) miss = miss " CPU-s/M" }
        if (rate ~ /^(skipped|failed)/) verdict = "not measured: " rate
        else if (miss == "") verdict = "met"
        else verdict = "**missed:" miss "** (profile: run.sh --profile " name ")"
        printf "| %s | %s %s | %s (%s) | %s |\n", name, goal, issue, got, date, verdict
      }' <<<"$row"
  done
  # #5: each processor adds at most 0.3 CPU-s per million spans, i.e. 300 ns per span.
  sed -n '/<!-- jmh:begin -->/,/<!-- jmh:end -->/p' "$md" | grep '^| processor\.ProcessorBenchmark\.' | LC_ALL=C awk -F'|' '
    function trim(x) { gsub(/^ +| +$/, "", x); return x }
    {
      split(trim($5), score, " ")
      verdict = (score[1] + 0 <= 300) ? "met" : "**missed**"
      printf "| JMH %s (%s) | ≤ 300 ns per span (0.3 CPU-s per million) #5 (processors) | %s ns (%s) | %s |\n", trim($2), trim($3), score[1], trim($4), verdict
    }' || true
  # #6: the decision-log bridge, recording only drops, adds at most 0.2 CPU-s per million spans:
  # sampler with the bridge minus sampler alone, per span of testbed requests (one span per trace).
  sed -n '/<!-- jmh:begin -->/,/<!-- jmh:end -->/p' "$md" | grep '^| processor\.DecisionLogBenchmark\.' | LC_ALL=C awk -F'|' '
    function trim(x) { gsub(/^ +| +$/, "", x); return x }
    { split(trim($5), score, " "); ns[trim($3)] = score[1]; date[trim($3)] = trim($4) }
    END {
      if (!("none, 1" in ns) || !("dropped, 1" in ns)) exit
      added = ns["dropped, 1"] - ns["none, 1"]
      verdict = (added <= 200) ? "met" : "**missed**"
      printf "| JMH processor.DecisionLogBenchmark.consume (dropped − none, 1 span per trace) | decision_log adds ≤ 200 ns per span (0.2 CPU-s per million) #6 (decision log) | %.1f ns (%s) | %s |\n", added, date["dropped, 1"], verdict
    }' || true
  local side
  side=$(sed -n '/<!-- side-by-side:begin -->/,/<!-- side-by-side:end -->/p' "$md" | grep '^| [0-9]* | Sluice |' || true)
  [[ -n "$side" ]] && LC_ALL=C awk -F'|' '
    function trim(x) { gsub(/^ +| +$/, "", x); return x }
    {
      series = trim($2); date = trim($4); per = trim($8)
      if (per !~ /^[0-9.]+$/) { verdict = "not measured: " trim($5); per = "—" }
      else verdict = (per + 0 <= 1024) ? "met" : "**missed**"
      printf "| prometheus-agent-side-by-side, %s series | ≤ 1 KiB RSS per active series #4 (Prometheus) | %s%s (%s) | %s |\n", series, per, (per == "—" ? "" : " B"), date, verdict
    }' <<<"$side"
  return 0
}

if [[ "$write" == 1 ]] && (( profile )); then
  replace_between "$MARKDOWN" profiles "$PROFILES"
  targets_section "$MARKDOWN" >"$OUT/targets.md"
  replace_between "$MARKDOWN" targets "$OUT/targets.md"
  log "rewrote the profile and target sections of ${MARKDOWN#"$REPO"/}"
elif [[ "$write" == 1 ]]; then
  [[ -f "$MARKDOWN" ]] || { echo "run.sh: $MARKDOWN not found" >&2; exit 1; }
  machine >"$OUT/machine.md"
  replace_between "$MARKDOWN" machine "$OUT/machine.md"
  # Scenario rows: this run's rows replace the same scenarios' rows; other rows keep their own date.
  {
    echo "| Scenario | Date (UTC) | Items/s achieved | CPU % of one core | CPU-s per million items | RSS avg / peak (MiB) | Notes | otelcol (published) |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for s in "${ALL_SCENARIOS[@]}"; do
      [[ $s == prometheus-agent-side-by-side || $s == jmh ]] && continue
      if grep -q "^| $s |" "$ROWS"; then grep -m1 "^| $s |" "$ROWS"
      else sed -n '/<!-- scenarios:begin -->/,/<!-- scenarios:end -->/p' "$MARKDOWN" | grep -m1 "^| $s |" || true
      fi
    done
  } >"$OUT/scenarios.md"
  replace_between "$MARKDOWN" scenarios "$OUT/scenarios.md"
  if [[ " ${scenarios[*]} " == *" prometheus-agent-side-by-side "* ]]; then
    {
      echo "| Series | Agent | Date (UTC) | Samples delivered in window | CPU-s per million samples | RSS avg (MiB) | RSS bytes per active series | Notes |"
      echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
      cat "$SIDE"
    } >"$OUT/side.md"
    replace_between "$MARKDOWN" side-by-side "$OUT/side.md"
  fi
  if [[ -s "$JMH_TABLE" ]]; then
    {
      echo "| Benchmark | Parameters | Date (UTC) | ns per item | bytes allocated per item |"
      echo "| --- | --- | --- | --- | --- |"
      # Rows of this run replace those of the same benchmark and parameters; the others stay.
      sed -n '/<!-- jmh:begin -->/,/<!-- jmh:end -->/p' "$MARKDOWN" | grep '^| [a-z]' | grep -v '^| Benchmark |' \
        | LC_ALL=C awk -F'|' -v fresh="$JMH_TABLE" '
          BEGIN { while ((getline line < fresh) > 0) { split(line, f, "|"); rows[f[2] "|" f[3]] = line; order[++n] = f[2] "|" f[3] } }
          { key = $2 "|" $3; if (key in rows) { print rows[key]; done[key] = 1 } else print }
          END { for (i = 1; i <= n; i++) if (!(order[i] in done)) print rows[order[i]] }'
    } >"$OUT/jmh-section.md"
    replace_between "$MARKDOWN" jmh "$OUT/jmh-section.md"
  fi
  targets_section "$MARKDOWN" >"$OUT/targets.md"
  replace_between "$MARKDOWN" targets "$OUT/targets.md"
  log "rewrote ${MARKDOWN#"$REPO"/}"
fi
log "done; raw results in ${OUT#"$REPO"/}"
