#!/bin/sh
# Builds the distribution's own Java runtime and its AppCDS archive (run by Maven at `package`).
#   make-runtime.sh JDK_HOME DIST_DIR [TIMESTAMP]
# 1. jdeps lists the JDK modules the jars in DIST_DIR/lib need; we add BASELINE (modules used
#    reflectively or by TLS, which jdeps cannot see) and drop EXCLUDED (see below).
# 2. jlink writes DIST_DIR/runtime with only those modules, plus the JDK's default CDS archive
#    (the base the dynamic AppCDS archive builds on).
# 3. The launcher runs `sluice validate` on the default config once with
#    -XX:ArchiveClassesAtExit, which writes DIST_DIR/runtime/lib/server/sluice.jsa; bin/sluice
#    passes it back with -XX:SharedArchiveFile (SLUICE_CDS=0 turns that off).
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
archive="$RUNTIME/lib/server/sluice.jsa"
rm -f "$archive"
# `validate` exits 1 when the default config names a component this build does not bundle; the
# classes it loaded until then are still archived, so only other exit codes fail the build.
status=0
SLUICE_CDS=0 SLUICE_JAVA_HOME= SLUICE_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=warning" \
  SLUICE_PLUGINS_DIR="$DIST/plugins" \
  "$DIST/bin/sluice" validate --config "$DIST/conf/sluice.conf" > "$DIST/../sluice-cds-training.log" 2>&1 || status=$?
case $status in
  0) ;;
  1) echo "make-runtime: warning: the default config is not valid with the bundled components (see target/sluice-cds-training.log); archived what validate loaded" >&2 ;;
  *) cat "$DIST/../sluice-cds-training.log" >&2; echo "make-runtime: sluice validate exited $status while writing the AppCDS archive" >&2; exit 1 ;;
esac
[ -s "$archive" ] || { echo "make-runtime: no AppCDS archive was written to $archive" >&2; exit 1; }

echo "make-runtime: runtime $(du -sh "$RUNTIME" | cut -f1) (AppCDS archive $(du -h "$archive" | cut -f1)) in $(( $(date +%s) - start ))s"
