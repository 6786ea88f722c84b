# Sourced by the scripts: finds the project, a JDK >= 25, and the JVM flags.
MAPSCRIBE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MAPSCRIBE_HOME

# The JVM flags the dependencies need (shared/FACTS.md). Keep in step with pom.xml's mapscribe.jvm.flags.
MAPSCRIBE_JVM_FLAGS=(
  --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.disk.monitor.disable=true
)

java_major() { # prints the feature version of the java binary $1
  # The JDK's release file says it without starting a JVM (~0.17 s each: three of them made every command's start
  # 0.5 s slower on a machine whose default java is 17); a JDK without one is asked.
  local release="${1%/bin/java}/release" v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*/\1/p' "$release" 2>/dev/null | head -n1)
  if [ -n "$v" ]; then echo "${v%%.*}"; return; fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

# Sets JAVA_HOME to a JDK >= 25: JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
find_jdk() {
  local cand v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(java_major "$cand/bin/java")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then export JAVA_HOME="$cand"; return 0; fi
  done
  echo "mapscribe: no JDK 25 or newer found (JAVA_HOME or /usr/lib/jvm/*); run scripts/setup, which installs one" >&2
  return 1
}

RECORDER_JAR="$MAPSCRIBE_HOME/recorder/target/mapscribe-recorder.jar"
ANALYZER_JAR="$MAPSCRIBE_HOME/analyzer/target/mapscribe-analyzer.jar"

# Builds the jars when one is missing or older than the sources. The build needs clang, bpftool and
# libbpf's headers: scripts/setup installs what is missing first (0.2 s when everything is there), so every
# script that builds works on a fresh machine.
ensure_built() {
  local stale=0 j
  for j in "$RECORDER_JAR" "$ANALYZER_JAR"; do [ -f "$j" ] || stale=1; done
  if [ $stale = 0 ] && [ -n "$(find "$MAPSCRIBE_HOME"/{formats,recorder,analyzer}/src/main "$MAPSCRIBE_HOME"/bpf -newer "$RECORDER_JAR" -type f -print -quit 2>/dev/null)" ]; then stale=1; fi
  [ $stale = 0 ] && return 0
  "$MAPSCRIBE_HOME/scripts/setup" >&2 || { echo "mapscribe: setup failed" >&2; return 1; }
  echo "mapscribe: building (first use or sources changed)..." >&2
  (cd "$MAPSCRIBE_HOME" && ./mvnw -q -B -DskipTests package) >&2 || { echo "mapscribe: build failed" >&2; return 1; }
}

# A JDK AOT cache per analyzer command (JEP 483, 515): the command's classes loaded and linked, and its
# methods' profiles, ready when the JVM starts, so less time goes to start-up and the JIT's warm-up. The first
# run of a command records what it used (a few % slower); a background job then builds the cache (~2 s of
# CPU), and later runs start from it: ~25 % less wall time for a 1M-record analysis, ~10 % for a query
# (docs/PERFORMANCE.md). A cache belongs to one jar and one JDK (the JVM checks both, and the file name
# holds a key of them): a rebuilt jar or another JDK records again. MAPSCRIBE_AOT=0 turns it off.
# run_with_aot_cache CMD JAR JAVA [JVM FLAGS...] -- ARGS...: execs the JVM with the cache if it exists;
# otherwise runs it recording (in the foreground, its exit status kept), starts the build, and exits.
run_with_aot_cache() {
  local cmd="$1" jar="$2"; shift 2
  local java=()
  while [ "$1" != -- ]; do java+=("$1"); shift; done
  shift
  local dir="$MAPSCRIBE_HOME/target/aot" key
  key=$({ stat -c '%Y %s' "$jar"; cat "$JAVA_HOME/release" 2>/dev/null; echo "$JAVA_HOME"; } | cksum | cut -d' ' -f1)
  local cache="$dir/$cmd-$key.aot"
  # A cache the JVM refuses after all (it checks the jar and the JDK again) is skipped in silence.
  local quiet=(-Xlog:aot*=off -Xlog:cds*=off)
  if [ -s "$cache" ]; then
    exec "${java[@]}" "${quiet[@]}" -XX:AOTCache="$cache" "$@"
  fi
  mkdir -p "$dir" 2>/dev/null || return 0 # a read-only installation runs without a cache
  local conf="$cache.conf.$$"
  # At exit the recording JVM names the file it wrote on stdout; -DisplayVMOutput keeps the command's own
  # output (a query's CSV, say) clean of it.
  local rc=0 pid stop=
  "${java[@]}" "${quiet[@]}" -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput \
    -XX:AOTMode=record -XX:AOTConfiguration="$conf" "$@" <&0 &
  pid=$!
  # The JVM is this shell's child here, not its replacement: a stop (TERM from `timeout` or kill, HUP) is passed
  # on to it. A script's background command ignores SIGINT, so Ctrl-C reaches it through this trap, as TERM; the
  # launcher then exits as the JVM would have for the signal it got itself (130 for Ctrl-C, 129 for HUP).
  trap 'stop=143; kill -TERM "$pid" 2>/dev/null' TERM
  trap 'stop=129; kill -TERM "$pid" 2>/dev/null' HUP
  trap 'stop=130; kill -TERM "$pid" 2>/dev/null' INT
  while :; do
    wait "$pid" && rc=0 || rc=$?
    kill -0 "$pid" 2>/dev/null || break # wait was cut short by a trapped signal: the JVM is still stopping
  done
  trap - TERM HUP INT
  [ "$rc" != 143 ] || [ -z "$stop" ] || rc=$stop # the JVM ended on the TERM this shell passed on
  if [ -s "$conf" ]; then
    # Detached, quiet, and after this command has returned: nobody waits for it. The last cache built wins;
    # the caches of older jars or JDKs go.
    setsid -f nice -n 10 bash -c '
      "${@:4}" -XX:AOTMode=create -XX:AOTConfiguration="$1" -XX:AOTCache="$2.$$" -jar "$3" \
        && { rm -f "${2%-*}"-*.aot; mv -f "$2.$$" "$2"; }
      rm -f "$1" "$2.$$"
      find "${2%/*}" -name "*.conf.*" -mmin +60 -delete' aot-build "$conf" "$cache" "$jar" "${java[@]}" "${quiet[@]}" </dev/null >/dev/null 2>&1
  fi
  exit "$rc"
}

aot_builds_done() { # aot_builds_done CHECKOUT [CMD]: waits (<= 60 s) until no background AOT cache build (of CMD's
  # cache, or of any) is left in CHECKOUT; returns 1 when one still runs after that
  local i
  for i in $(seq 1 120); do
    compgen -G "$1/target/aot/${2:-*}-*.conf.*" >/dev/null || return 0
    sleep 0.5
  done
  return 1
}

warm_aot_cache() { # warm_aot_cache CHECKOUT JOURNAL: one analysis by CHECKOUT's launcher, then waits for the AOT
  # cache it builds, so that a benchmark's rounds all start from it (a checkout without AOT caches just warms up)
  local out
  out=$(mktemp -d)
  "$1/scripts/mapscribe" analyze "$2" --out "$out" >/dev/null 2>&1 || true
  rm -rf "$out"
  aot_builds_done "$1" analyze || true
}

await_recording() { # await_recording ERRFILE [PID]: waits up to 60 s for `mapscribe record`'s ready line in its stderr
  # ERRFILE (a first run builds the jars first); with PID, gives up at once when that recorder has exited
  local i
  for i in $(seq 1 600); do
    grep -q "recording to .* tier" "$1" && return 0
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then cat "$1" >&2; return 1; fi
    sleep 0.1
  done
  echo "recorder not ready: $(tail -1 "$1")" >&2
  return 1
}

analyze_bench_journal() { # analyze_bench_journal MILLIONS|storm: where scripts/bench-analyze keeps that journal
  # -d12: synthetic process trees at most 12 deep (twelfth session; the journals cached before, journal-*m-crc, have
  # chains of median depth 155: JournalGenerator says why that changed). storm: the real recorder's, of the storm.
  local work=${TMPDIR:-/tmp}/mapscribe-bench-analyze
  if [ "$1" = storm ]; then echo "$work/journal-storm-recorded"; else echo "$work/journal-${1}m-d12"; fi
}

median() { # median [FORMAT]: the median of the numbers on stdin (one per line), printed with printf FORMAT (default %s)
  sort -n | awk -v f="${1:-%s}" '{a[NR] = $1} END {if (NR) printf f "\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
