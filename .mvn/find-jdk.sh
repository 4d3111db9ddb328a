# Sourced (POSIX sh) by ./mvnw and ./sluice: makes JAVA_HOME point at a JDK 21 or newer.
# Order: $JAVA_HOME, the `java` on PATH, then the newest JDK under /usr/lib/jvm.
sluice_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
sluice_try_jdk() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sluice_major=$(sluice_java_major "$1")
  [ -n "$sluice_major" ] && [ "$sluice_major" -ge 21 ] || return 1
  JAVA_HOME="$1"
  export JAVA_HOME
}
sluice_find_jdk() {
  sluice_try_jdk "${JAVA_HOME:-}" && return 0
  if command -v java >/dev/null 2>&1; then
    sluice_try_jdk "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" && return 0
  fi
  for sluice_candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -Vr); do
    sluice_try_jdk "${sluice_candidate%/}" && return 0
  done
  echo "sluice: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm/*)." >&2
  echo "sluice: install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
  return 1
}
sluice_find_jdk || exit 1
