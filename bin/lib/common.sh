# Shared by bin/pgfly and bin/test: find a JDK 21+ and Maven, build the jar when it is stale.
# shellcheck shell=bash

PGFLY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PGFLY_JAR="$PGFLY_ROOT/cli/target/pgfly.jar"

java_major() { # prints the major version of the java binary $1, or 0
  local v="" release
  # A JDK's release file names its version: reading it costs nothing, where 'java -version' starts a
  # JVM per candidate (about a second in all before each command on a host with three JDKs).
  release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
  [ -f "$release" ] && v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$release")
  [ -n "$v" ] || v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  echo "${v%%[.-]*}" | grep -E '^[0-9]+$' || echo 0
}

find_java() { # sets JAVA to a java binary of version 21 or newer
  local candidate best="" best_major=0 m
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 21 ]; then
      JAVA="$candidate"; return 0
    fi
  done
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    m=$(java_major "$candidate")
    if [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best="$candidate"; best_major=$m; fi
  done
  if [ -z "$best" ]; then
    echo "pgfly: no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm): install one, e.g. apt-get install openjdk-21-jdk" >&2
    exit 1
  fi
  JAVA="$best"
}

java_home_of() { dirname "$(dirname "$(readlink -f "$1")")"; }

need_maven() {
  command -v mvn >/dev/null 2>&1 || { echo "pgfly: Maven is needed to build pgfly: apt-get install maven" >&2; exit 1; }
}

jar_is_stale() {
  [ -f "$PGFLY_JAR" ] || return 0
  [ -n "$(find "$PGFLY_ROOT" \( -path "$PGFLY_ROOT/*/src/main/*" -o -name pom.xml \) -newer "$PGFLY_JAR" -print -quit 2>/dev/null)" ]
}

build_jar() { # builds the runnable jar without running tests; one build at a time
  need_maven
  mkdir -p "$PGFLY_ROOT/cli/target"
  (
    flock 9
    if jar_is_stale; then
      echo "pgfly: building the jar with Maven (first use or sources changed; about a minute)..." >&2
      local started=$SECONDS
      # Quiet: Maven's own JVM warns about sun.misc.Unsafe on JDK 24+ (silenced where the option exists),
      # and Maven 3.8 prints colour resets even in batch mode (stripped); errors still show.
      local opts="${MAVEN_OPTS:-}"
      [ "$(java_major "$JAVA")" -ge 24 ] && opts="$opts --sun-misc-unsafe-memory-access=allow"
      (cd "$PGFLY_ROOT" && JAVA_HOME="$(java_home_of "$JAVA")" MAVEN_OPTS="$opts" mvn -q -B -DskipTests package 2>&1 \
        | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^[[:space:]]*$' >&2; exit "${PIPESTATUS[0]}") || {
        echo "pgfly: build failed (see the Maven output above)" >&2; exit 1; }
      echo "pgfly: built in $(( SECONDS - started )) s" >&2
    fi
  ) 9>"$PGFLY_ROOT/cli/target/.build.lock"
}
