# Shell functions shared by the benchmark scripts (run.sh, soak.sh, startup.sh): sourced, not run.
# Messages name the script that sourced this file.

log() { echo "[${0##*/} $(date -u +%H:%M:%S)] $*" >&2; }

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p' | head -1; }

# The first JDK 21+ among JAVA_HOME, /usr/lib/jvm and the PATH (the tools need 21).
find_java() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  candidates+=(/usr/lib/jvm/*/bin/java "$(command -v java || true)")
  for j in "${candidates[@]}"; do
    if [[ -x "$j" ]] && (( $(java_major "$j" || echo 0) >= 21 )); then echo "$j"; return; fi
  done
  echo "${0##*/}: no JDK 21+ found (set JAVA_HOME)" >&2; exit 1
}

# --- Process handling: a script stops only the PIDs it started, listed in its `started` array ------
stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() { local p; for p in "${started[@]}"; do stop_pid "$p"; done; }

# Waits for "<tool> ready ..." on a tool's stdout and prints that line.
wait_ready() {
  local file=$1 pid=$2
  for _ in $(seq 1 300); do
    if grep -q ' ready' "$file" 2>/dev/null; then grep -m1 ' ready' "$file"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${0##*/}: $(basename "$file" .out) did not start; see $file" >&2
  return 1
}
# port_of READY_LINE NAME: a port from a "... ready name=port ..." line.
port_of() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"; }
# count JSON BACKEND UNIT: a counter from the mock's /counts JSON ({"backend":{"unit":N,...},...}).
count() { local v; v=$(grep -o "\"$2\":{[^}]*}" <<<"$1" | grep -o "\"$3\":[0-9]*" | cut -d: -f2 || true); echo "${v:-0}"; }
# num JSON KEY: a number from a flat JSON object.
num() { local v; v=$(grep -o "\"$2\":[-0-9.]*" <<<"$1" | head -1 | cut -d: -f2 || true); echo "${v:-0}"; }

# replace_between FILE NAME CONTENT_FILE: replaces the lines between <!-- NAME:begin --> and <!-- NAME:end -->.
replace_between() {
  local tmp; tmp=$(mktemp)
  awk -v b="<!-- $2:begin -->" -v e="<!-- $2:end -->" -v f="$3" '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$1" >"$tmp"
  mv "$tmp" "$1"
}
