#!/bin/sh
# Builds the distribution's own Java runtime and its AppCDS archive (run by Maven at `package`).
#   make-runtime.sh JDK_HOME DIST_DIR [TIMESTAMP]
# 1. jdeps lists the JDK modules the jars in DIST_DIR/lib need; we add BASELINE (modules used
#    reflectively or by TLS, which jdeps cannot see) and drop EXCLUDED (see below).
# 2. jlink writes DIST_DIR/runtime with only those modules, plus the JDK's default CDS archive
#    (the base the dynamic AppCDS archive builds on).
# 3. The launcher runs the daemon once (`sluice run` on the default config, see below). On a JDK
#    25 or newer that run writes an AOT cache (JEP 483/514/515: classes loaded and linked, lambda
#    and string-concat call sites resolved, method profiles) to DIST_DIR/runtime/lib/server/
#    sluice.aot, which bin/sluice passes back with -XX:AOTCache; on JDK 21 to 24 it writes a
#    dynamic AppCDS archive, sluice.jsa, passed back with -XX:SharedArchiveFile. SLUICE_CDS=0
#    turns either off.
set -eu
JDK=${1:?usage: make-runtime.sh JDK_HOME DIST_DIR}
DIST=${2:?usage: make-runtime.sh JDK_HOME DIST_DIR}
# The modification time the archives give every file (ISO 8601 or seconds since the epoch).
TIMESTAMP=${3:-}
RUNTIME="$DIST/runtime"

# Always in: Netty, Armeria and protobuf use sun.misc.Unsafe (jdk.unsupported); TLS key exchange
# needs the SunEC provider (a module of its own up to JDK 21); self-metrics read JMX beans;
# Netty's DNS resolver may read name servers through JNDI; plugins commonly need java.net.http,
# java.logging and zip file systems.
BASELINE="java.base jdk.unsupported jdk.crypto.ec java.management jdk.management java.naming jdk.naming.dns java.net.http jdk.httpserver java.logging jdk.zipfs"
# Never in, although jdeps lists them: java.desktop (about 12 MB) only serves Typesafe Config's
# ConfigBeanFactory (java.beans), which Sluice does not use - Sluice binds config with its own
# ConfigBinder; java.compiler only serves error_prone's annotations, which are not read at run
# time. DistributionIT runs validate, components and run on this runtime to prove the set.
EXCLUDED="java.desktop java.compiler"

for tool in jdeps jlink; do
  [ -x "$JDK/bin/$tool" ] || { echo "make-runtime: $JDK/bin/$tool not found (build with a JDK 21+, not a JRE)" >&2; exit 1; }
done

start=$(date +%s)
found=$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 21 "$DIST"/lib/*.jar 2>/dev/null | tail -n 1)
case "$found" in
  java.base*) ;;
  *) echo "make-runtime: jdeps did not print a module list (got: $found)" >&2; exit 1 ;;
esac

available=$("$JDK/bin/java" --list-modules | sed 's/@.*//')
modules=
for m in $(echo "$found" | tr ',' ' ') $BASELINE; do
  case " $EXCLUDED " in *" $m "*) continue ;; esac
  echo "$available" | grep -qx "$m" || continue   # e.g. jdk.crypto.ec after it is removed from the JDK
  case ",$modules," in *",$m,"*) continue ;; esac
  modules="${modules:+$modules,}$m"
done
echo "make-runtime: jdeps found $found"
echo "make-runtime: linking $modules"

# JDK 21 accepts both spellings, later JDKs deprecate the numeric one.
if "$JDK/bin/jlink" --help 2>&1 | grep -q 'zip-\['; then compress=zip-6; else compress=2; fi
rm -rf "$RUNTIME"
"$JDK/bin/jlink" --add-modules "$modules" --output "$RUNTIME" \
  --strip-debug --no-header-files --no-man-pages --compress="$compress" \
  --generate-cds-archive
# The no-compressed-oops base archive (about 14 MB) only serves heaps over 32 GB, where the
# dynamic archive below (built on the compressed-oops base) could not be used anyway.
rm -f "$RUNTIME/lib/server/classes_nocoops.jsa"
printf '%s\n' "$modules" > "$RUNTIME/sluice-modules"

# The archive must come from the same runtime, class path and jar files the launcher uses; the JVM
# compares the jars' sizes and modification times, so they get the time the tarball and the .deb
# will give them.
if [ -n "$TIMESTAMP" ]; then
  case "$TIMESTAMP" in *[!0-9]*) when=$TIMESTAMP ;; *) when="@$TIMESTAMP" ;; esac
  find "$DIST" -exec touch -h -d "$when" {} +
fi
# The AOT cache (JDK 25+) starts the daemon about 200 ms of CPU sooner than the dynamic archive.
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$RUNTIME/release" | head -n 1)
rm -f "$RUNTIME/lib/server/sluice.aot" "$RUNTIME/lib/server/sluice.jsa"
if [ "${major:-0}" -ge 25 ]; then
  archive="$RUNTIME/lib/server/sluice.aot"
  archive_opts="-XX:AOTCacheOutput=$archive -Xlog:aot=error -Xlog:cds=error"
else
  archive="$RUNTIME/lib/server/sluice.jsa"
  archive_opts="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=error"
fi
# Training run: the daemon with the default pipelines, every listener on an ephemeral loopback
# port (no clash with anything on the build machine), stopped with SIGTERM once it reports it is
# running; the JVM writes the archive as it exits. If it does not get that far (a config that
# needs a component this build lacks, a changed log line), `validate` is the fallback training:
# fewer classes, but config loading and the CLI are still archived.
train_conf="$DIST/../sluice-cds-training.conf"
train_log="$DIST/../sluice-cds-training.log"
sed -e 's/"\(127\.0\.0\.1\|0\.0\.0\.0\|localhost\):[0-9][0-9]*"/"127.0.0.1:0"/g' "$DIST/conf/sluice.conf" > "$train_conf"
printf '\n# AppCDS training at build time: self-metrics on an ephemeral port too.\nservice.telemetry.metrics.address = "127.0.0.1:0"\n' >> "$train_conf"
# Runs bin/sluice in place of the calling (sub)shell, so that $! is the JVM's pid.
train() {
  SLUICE_CDS=0 SLUICE_JAVA_HOME= SLUICE_PROFILE=sidecar SLUICE_PLUGINS_DIR="$DIST/plugins" \
    SLUICE_JAVA_OPTS="$archive_opts" exec "$DIST/bin/sluice" "$@"
}
train run --config "$train_conf" > "$train_log" 2>&1 &
pid=$!
waited=0
while ! grep -q "Sluice is running" "$train_log" && kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
  sleep 0.1
  waited=$((waited + 1))
done
trained=run
if grep -q "Sluice is running" "$train_log"; then
  kill -TERM "$pid"
  wait "$pid" || trained=
else
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  trained=
fi
if [ -z "$trained" ] || [ ! -s "$archive" ]; then
  echo "make-runtime: warning: the training run did not start and stop cleanly (see $train_log); training with validate instead" >&2
  rm -f "$archive"
  status=0
  (train validate --config "$DIST/conf/sluice.conf") >> "$train_log" 2>&1 || status=$?
  # 1 = the config has problems (e.g. names a component not bundled): what was loaded is archived.
  [ "$status" -le 1 ] || { cat "$train_log" >&2; echo "make-runtime: sluice validate exited $status" >&2; exit 1; }
  trained=validate
fi
[ -s "$archive" ] || { echo "make-runtime: no AppCDS archive or AOT cache was written to $archive" >&2; exit 1; }

echo "make-runtime: runtime $(du -sh "$RUNTIME" | cut -f1) ($(basename "$archive"), trained with sluice $trained: $(du -h "$archive" | cut -f1)) in $(( $(date +%s) - start ))s"
