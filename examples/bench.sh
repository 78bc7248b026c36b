#!/usr/bin/env bash
# The benchmark of issue 4: W1 W2 W3 of ../shared/bench/jax_anchor.py, Arrax (jit) against a
# hand-written Java loop, in ONE java process. See BENCHMARKS.md.
#
#   bash examples/bench.sh [W1 W2 W3] [--rows N] [--reps R]     (default: all three, N = 1000000, R = 5)
#   bash examples/bench.sh spark [--rows N] [--reps R]           (W1 through the Spark connector, local[2])
#
# Builds the engine and the examples with Maven (offline first) into the build folder
# $ARRAX_BENCH_TARGET (default target-bench, so it never touches anyone's `target`), then runs
# dev.arrax.examples.bench.Bench with the Vector API module. JVM options: $BENCH_JAVA_OPTS
# (default -Xms2g -Xmx8g; W2 at N = 1M holds ~1.6 GB of inputs plus Arrax's intermediates).
# Set -Darrax.threads=K in BENCH_JAVA_OPTS to change Arrax's thread count (default: all cores).
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${ARRAX_BENCH_TARGET:-target-bench}"
CP_FILE="$ROOT/examples/$TARGET/bench.classpath"
MVN_ARGS=(-q -pl examples -am package dependency:build-classpath
  -Dmaven.test.skip=true -Darrax.target="$TARGET"
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime)

echo "bench: building engine + examples (mvn, build folder $TARGET) ..." >&2
mvn -o "${MVN_ARGS[@]}" || mvn "${MVN_ARGS[@]}"

CP="$ROOT/examples/$TARGET/classes:$(cat "$CP_FILE")"
if [ "${1:-}" = spark ]; then
  shift
  # shellcheck disable=SC2086
  exec java --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xms2g -Xmx8g} -cp "$CP" dev.arrax.examples.SparkBench "$@"
fi
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of options
exec java --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xms2g -Xmx8g} \
  -cp "$CP" dev.arrax.examples.bench.Bench "$@"
