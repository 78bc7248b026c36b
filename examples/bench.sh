#!/usr/bin/env bash
# The benchmark of issue 4: W1 W2 W3 of examples/bench/jax_anchor.py, Arrax (jit) against a
# hand-written Java loop, in ONE java process. See BENCHMARKS.md.
#
#   bash examples/bench.sh [W1 W2 W3] [--rows N] [--reps R]     (default: all three, N = 1000000, R = 5)
#   bash examples/bench.sh spark [--rows N] [--reps R] [--warmup W]  (W1 through the Spark connector, local[2])
#   bash examples/bench.sh gpu [W1 W2 W3] [--rows N] [--reps R]   (cuDF backend vs CPU backend; N = 10000000;
#        PLAN lines always, then RESULT lines with a usable GPU, else one NO_GPU line; exit 0)
#
# Builds the engine and the examples with Maven (offline first) into the build folder
# $ARRAX_BENCH_TARGET (default target-bench, so it never touches anyone's `target`), then runs
# dev.arrax.examples.bench.Bench with the Vector API module. JVM options: $BENCH_JAVA_OPTS
# (default -Xms4g -Xmx4g, a fixed heap that the bench touches once before timing, see HeapTouch; the spark mode's too).
# Set -Darrax.threads=K in BENCH_JAVA_OPTS to change Arrax's thread count (default: all cores).
# gpu mode: cuDF is `provided`, so the script adds its jar: $ARRAX_CUDF_JAR, else the one in ~/.m2 of
# classifier $ARRAX_CUDF_CLASSIFIER (default cuda12); without it the PLAN lines still print and NO_GPU
# says cuDF is missing. Default JVM options for gpu mode: -Xms4g -Xmx96g (W2 at 10M rows holds 8 GB of inputs).
# $ARRAX_BENCH_CLASSPATH (a classpath) skips the Maven build (the GPU host has no Maven: gpu-rapids/device/);
# $JAVA picks the java binary.
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${ARRAX_BENCH_TARGET:-target-bench}"
CP_FILE="$ROOT/examples/$TARGET/bench.classpath"
MVN_ARGS=(-q -pl examples -am package dependency:build-classpath
  -Dmaven.test.skip=true -Darrax.target="$TARGET"
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime)

JAVA="${JAVA:-java}"
if [ -n "${ARRAX_BENCH_CLASSPATH:-}" ]; then
  CP="$ARRAX_BENCH_CLASSPATH"
else
  echo "bench: building engine + examples (mvn, build folder $TARGET) ..." >&2
  mvn -o "${MVN_ARGS[@]}" || mvn "${MVN_ARGS[@]}"
  CP="$ROOT/examples/$TARGET/classes:$(cat "$CP_FILE")"
fi
if [ "${1:-}" = gpu ]; then
  shift
  CUDF_JAR="${ARRAX_CUDF_JAR:-$HOME/.m2/repository/ai/rapids/cudf/26.08.1/cudf-26.08.1-${ARRAX_CUDF_CLASSIFIER:-cuda12}.jar}"
  if [ -f "$CUDF_JAR" ]; then CP="$CP:$CUDF_JAR"; else echo "bench: no cuDF jar at $CUDF_JAR (the GPU backend will say so)" >&2; fi
  # shellcheck disable=SC2086
  exec "$JAVA" --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xms4g -Xmx96g} -cp "$CP" dev.arrax.examples.bench.GpuBench "$@"
fi
if [ "${1:-}" = spark ]; then
  shift
  # shellcheck disable=SC2086
  exec "$JAVA" --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xms4g -Xmx4g} -cp "$CP" dev.arrax.examples.SparkBench "$@"
fi
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of options
exec "$JAVA" --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xms4g -Xmx4g} \
  -cp "$CP" dev.arrax.examples.bench.Bench "$@"
